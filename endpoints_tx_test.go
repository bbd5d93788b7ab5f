package hookrelay_test

import (
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// customersTable is an application's table, created by the tests that write
// in it beside hookrelay.
const customersTable = `CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL)`

// TestEndpointWithTheApplicationsRowAtomically: an application creates a
// customer and their endpoint in one transaction, and publishes to it there.
// Rolled back, neither exists; committed, both do and the event is
// delivered. Before the commit, the workers and the client's own
// transactions do not see the endpoint.
func TestEndpointWithTheApplicationsRowAtomically(t *testing.T) {
	eachDriver(t, func(t *testing.T, b backend) {
		ctx := t.Context()
		if err := b.exec(ctx, customersTable); err != nil {
			t.Fatal(err)
		}
		c := started(t, b)
		r := newReceiver(t)
		endpoint := hookrelay.Endpoint{URL: r.url, Secret: r.secret, Events: []string{"customer.*"}}

		rolledBack := b.begin(t)
		if err := rolledBack.exec(ctx, `INSERT INTO customers VALUES (1, 'Ada')`); err != nil {
			t.Fatal(err)
		}
		if _, err := rolledBack.createEndpoint(ctx, c, endpoint); err != nil {
			t.Fatalf("CreateEndpointTx: %v", err)
		}
		if err := rolledBack.rollback(); err != nil {
			t.Fatal(err)
		}
		if n := b.count(t, "webhooks"); n != 0 {
			t.Fatalf("%d endpoints after a rollback, want none", n)
		}

		tx := b.begin(t)
		if err := tx.exec(ctx, `INSERT INTO customers VALUES (2, 'Grace')`); err != nil {
			t.Fatal(err)
		}
		created, err := tx.createEndpoint(ctx, c, endpoint)
		if err != nil {
			t.Fatalf("CreateEndpointTx: %v", err)
		}
		res, err := tx.publish(ctx, c, hookrelay.Event{Type: "customer.created"})
		if err != nil || res.Deliveries != 1 {
			t.Fatalf("Publish in the endpoint's transaction = %+v, %v; want 1 delivery", res, err)
		}
		// Outside the transaction, the endpoint does not exist yet.
		if _, err := c.GetEndpoint(ctx, created.ID); !errors.Is(err, hookrelay.ErrNotFound) {
			t.Errorf("GetEndpoint before the commit = %v, want ErrNotFound", err)
		}
		// (SQLite has one writer at a time: a write outside would wait for
		// the transaction.)
		if b.name != "sqlite" {
			if outside := publishNow(t, c, "customer.updated"); outside.Deliveries != 0 {
				t.Errorf("an event published outside the transaction made %d deliveries, want none", outside.Deliveries)
			}
		}
		if err := tx.commit(); err != nil {
			t.Fatal(err)
		}
		r.expect(t, res.EventID)
		if n := b.count(t, "customers"); n != 1 {
			t.Errorf("%d customers, want the committed one", n)
		}
		stored, err := c.GetEndpoint(ctx, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		sameEndpoint(t, created, stored)
	})
}

// sameEndpoint checks that the endpoint a …Tx method returned reads as the
// client's pool reads it after the commit: the drivers scan alike.
func sameEndpoint(t *testing.T, inTx, stored hookrelay.Endpoint) {
	t.Helper()
	if inTx.ID != stored.ID || inTx.URL != stored.URL || inTx.Secret != stored.Secret ||
		!slices.Equal(inTx.Events, stored.Events) || !maps.Equal(inTx.Headers, stored.Headers) ||
		inTx.Active != stored.Active || inTx.Title != stored.Title || inTx.RateLimitPerSecond != stored.RateLimitPerSecond ||
		!inTx.CreatedAt.Equal(stored.CreatedAt) || !inTx.UpdatedAt.Equal(stored.UpdatedAt) ||
		(inTx.MaxRetries == nil) != (stored.MaxRetries == nil) ||
		(inTx.MaxRetries != nil && *inTx.MaxRetries != *stored.MaxRetries) {
		t.Errorf("endpoint in the transaction %+v, stored %+v; want the same", inTx, stored)
	}
}

// TestEndpointChangesInTheCallersTransaction: update, disable, enable and
// delete in the application's transaction take effect if and only if it
// commits, and read what the transaction wrote before.
func TestEndpointChangesInTheCallersTransaction(t *testing.T) {
	eachDriver(t, func(t *testing.T, b backend) {
		ctx := t.Context()
		c := b.newClient(t, fast()...)
		retries := 3
		e, err := c.CreateEndpoint(ctx, hookrelay.Endpoint{
			URL: "http://127.0.0.1:9/hooks", Title: "CRM", Events: []string{"document.*", "invoice.paid"},
			Headers: map[string]string{"X-Tenant": "acme"}, MaxRetries: &retries,
		})
		if err != nil {
			t.Fatal(err)
		}
		title := "Billing"
		events := []string{`a"b`, `c\d`, "e,f", "{g}"}
		rateLimit := 5

		rolledBack := b.begin(t)
		if _, err := rolledBack.updateEndpoint(ctx, c, e.ID, hookrelay.EndpointUpdate{Title: &title}); err != nil {
			t.Fatalf("UpdateEndpointTx: %v", err)
		}
		if _, err := rolledBack.disable(ctx, c, e.ID, "moving"); err != nil {
			t.Fatalf("DisableEndpointTx: %v", err)
		}
		if err := rolledBack.rollback(); err != nil {
			t.Fatal(err)
		}
		if got, err := c.GetEndpoint(ctx, e.ID); err != nil || got.Title != "CRM" || !got.Active {
			t.Fatalf("after a rollback: %+v, %v; want the endpoint unchanged", got, err)
		}

		tx := b.begin(t)
		updated, err := tx.updateEndpoint(ctx, c, e.ID, hookrelay.EndpointUpdate{Title: &title, Events: &events, RateLimitPerSecond: &rateLimit})
		if err != nil || updated.Title != title || !slices.Equal(updated.Events, events) || updated.RateLimitPerSecond != rateLimit {
			t.Fatalf("UpdateEndpointTx = %+v, %v; want the new title, events and rate limit", updated, err)
		}
		if d, err := tx.disable(ctx, c, e.ID, ""); err != nil || d.Active || d.Title != title {
			t.Fatalf("DisableEndpointTx = %+v, %v; want inactive, with the title written before in the transaction", d, err)
		}
		enabled, err := tx.enable(ctx, c, e.ID)
		if err != nil || !enabled.Active {
			t.Fatalf("EnableEndpointTx = %+v, %v; want active", enabled, err)
		}
		if got, err := c.GetEndpoint(ctx, e.ID); err != nil || got.Title != "CRM" {
			t.Errorf("outside the transaction before the commit: %+v, %v; want the old title", got, err)
		}
		if err := tx.commit(); err != nil {
			t.Fatal(err)
		}
		stored, err := c.GetEndpoint(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		sameEndpoint(t, enabled, stored)

		deleted := b.begin(t)
		if err := deleted.deleteEndpoint(ctx, c, e.ID); err != nil {
			t.Fatalf("DeleteEndpointTx: %v", err)
		}
		if err := deleted.commit(); err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetEndpoint(ctx, e.ID); !errors.Is(err, hookrelay.ErrNotFound) {
			t.Errorf("GetEndpoint after DeleteEndpointTx committed = %v, want ErrNotFound", err)
		}
	})
}

// TestRefusedEndpointChangeLeavesTheTransactionUsable: an invalid endpoint
// is ErrInvalid, a missing one ErrNotFound, a nil transaction an error, and
// the application's transaction goes on and commits its own writes.
func TestRefusedEndpointChangeLeavesTheTransactionUsable(t *testing.T) {
	eachDriver(t, func(t *testing.T, b backend) {
		ctx := t.Context()
		if err := b.exec(ctx, customersTable); err != nil {
			t.Fatal(err)
		}
		c := b.newClient(t, fast()...)
		tx := b.begin(t)
		if err := tx.exec(ctx, `INSERT INTO customers VALUES (1, 'Ada')`); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.createEndpoint(ctx, c, hookrelay.Endpoint{URL: "ftp://example.com"}); !errors.Is(err, hookrelay.ErrInvalid) {
			t.Errorf("CreateEndpointTx of an ftp URL = %v, want ErrInvalid", err)
		}
		if _, err := tx.createEndpoint(ctx, c, hookrelay.Endpoint{URL: "http://127.0.0.1:9/hooks", Secret: "short"}); !errors.Is(err, hookrelay.ErrInvalid) {
			t.Errorf("CreateEndpointTx with a short secret = %v, want ErrInvalid", err)
		}
		bad := "not a url"
		if _, err := tx.updateEndpoint(ctx, c, 404, hookrelay.EndpointUpdate{URL: &bad}); !errors.Is(err, hookrelay.ErrNotFound) {
			t.Errorf("UpdateEndpointTx of a missing endpoint = %v, want ErrNotFound", err)
		}
		if _, err := tx.disable(ctx, c, 404, ""); !errors.Is(err, hookrelay.ErrNotFound) {
			t.Errorf("DisableEndpointTx of a missing endpoint = %v, want ErrNotFound", err)
		}
		if err := tx.deleteEndpoint(ctx, c, 404); !errors.Is(err, hookrelay.ErrNotFound) {
			t.Errorf("DeleteEndpointTx of a missing endpoint = %v, want ErrNotFound", err)
		}
		created, err := tx.createEndpoint(ctx, c, hookrelay.Endpoint{URL: "http://127.0.0.1:9/hooks"})
		if err != nil {
			t.Fatalf("CreateEndpointTx after refused ones: %v", err)
		}
		if _, err := tx.updateEndpoint(ctx, c, created.ID, hookrelay.EndpointUpdate{URL: &bad}); !errors.Is(err, hookrelay.ErrInvalid) {
			t.Errorf("UpdateEndpointTx to a bad URL = %v, want ErrInvalid", err)
		}
		if err := tx.commit(); err != nil {
			t.Fatalf("commit after refused changes: %v", err)
		}
		if n := b.count(t, "customers"); n != 1 {
			t.Errorf("%d customers, want the application's one", n)
		}
		stored, err := c.GetEndpoint(ctx, created.ID)
		if err != nil || stored.URL != "http://127.0.0.1:9/hooks" {
			t.Errorf("stored endpoint %+v, %v; want the one created, its URL unchanged", stored, err)
		}
		if n := b.count(t, "webhooks"); n != 1 {
			t.Errorf("%d endpoints, want the one created", n)
		}
	})
}

// TestChallengeOfAnEndpointCreatedInTheCallersTransaction: an endpoint that
// must prove ownership gets its challenge event in the same transaction:
// none after a rollback, one after the commit.
func TestChallengeOfAnEndpointCreatedInTheCallersTransaction(t *testing.T) {
	eachDriver(t, func(t *testing.T, b backend) {
		ctx := t.Context()
		c := b.newClient(t, fast()...)
		verify := true
		e := hookrelay.Endpoint{URL: "http://127.0.0.1:9/hooks", RequireVerification: &verify}
		for _, commit := range []bool{false, true} {
			tx := b.begin(t)
			created, err := tx.createEndpoint(ctx, c, e)
			if err != nil || !created.Unverified || created.ChallengeSentAt == nil {
				t.Fatalf("CreateEndpointTx = %+v, %v; want an unverified endpoint with its challenge sent", created, err)
			}
			end := tx.rollback
			if commit {
				end = tx.commit
			}
			if err := end(); err != nil {
				t.Fatal(err)
			}
		}
		if n := b.count(t, "webhook_deliveries WHERE event_type = 'webhook.verification'"); n != 1 {
			t.Errorf("%d challenges queued, want the committed endpoint's one", n)
		}
	})
}

// TestNewPostgresSQLClosesOnlyItsOwnPool: the client that NewPostgresSQL
// makes closes the pool it opened from the URL, and leaves the
// application's *sql.DB open; a nil database or a URL of no server is an
// error at once.
func TestNewPostgresSQLClosesOnlyItsOwnPool(t *testing.T) {
	for _, name := range []string{"pgx-stdlib", "lib-pq"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			url := testdb.PostgresURL(t)
			db := testdb.OpenSQL(t, sqlDriverOf(name), url)
			if _, err := hookrelay.NewPostgresSQL(t.Context(), nil, url); err == nil {
				t.Error("NewPostgresSQL with a nil database: no error")
			}
			if _, err := hookrelay.NewPostgresSQL(t.Context(), db, "postgres://nobody@127.0.0.1:1/none?connect_timeout=2"); err == nil {
				t.Error("NewPostgresSQL with a URL of no server: no error")
			}
			c, err := hookrelay.NewPostgresSQL(t.Context(), db, url)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			if err := db.PingContext(t.Context()); err != nil {
				t.Errorf("the application's database after Close: %v", err)
			}
			if _, err := c.PublishNow(t.Context(), hookrelay.Event{Type: "document.created"}); err == nil {
				t.Error("PublishNow after Close: no error, want the closed pool's")
			}
		})
	}
}
