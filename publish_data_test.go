package hookrelay_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"testing"

	"github.com/hookrelay/hookrelay"
)

// TestPublishRefusesDataNoStoreKeeps: data with a NUL, an unpaired surrogate,
// bytes that are not UTF-8 or a number past PostgreSQL's numeric is an error
// matching ErrInvalid on both stores, and the application's transaction goes
// on.
func TestPublishRefusesDataNoStoreKeeps(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		c := b.newClient(t, fast()...)
		tx := b.begin(t)
		defer tx.rollback()
		for _, data := range []string{`{"k":"\u0000"}`, `{"k":"\ud800"}`, "{\"k\":\"caf\xe9\"}", `{"n":1e131072}`} {
			if _, err := tx.publish(t.Context(), c, hookrelay.Event{Type: "t.x", Data: json.RawMessage(data)}); !errors.Is(err, hookrelay.ErrInvalid) {
				t.Errorf("Publish(%q) = %v, want ErrInvalid", data, err)
			}
			if _, err := c.PublishNow(t.Context(), hookrelay.Event{Type: "t.x", Data: json.RawMessage(data)}); !errors.Is(err, hookrelay.ErrInvalid) {
				t.Errorf("PublishNow(%q) = %v, want ErrInvalid", data, err)
			}
		}
		txStillCommits(t, b, c, tx, "refused events")
	})
}

// TestFailedPublishLeavesTheTransactionUsable makes the database refuse a
// publish half-way (a trigger of the test's fails the deliveries' insert,
// after the event's): Publish fails, leaves nothing of the event, and the
// application's transaction goes on and commits.
func TestFailedPublishLeavesTheTransactionUsable(t *testing.T) {
	eachDriver(t, func(t *testing.T, b backend) {
		c := b.newClient(t, fast()...)
		subscribe(t, c)
		failing := `ALTER TABLE webhook_deliveries ADD CONSTRAINT test_fails CHECK (event_type <> 'test.fails')`
		if b.name == "sqlite" {
			failing = `CREATE TRIGGER test_fails BEFORE INSERT ON webhook_deliveries
				WHEN NEW.event_type = 'test.fails' BEGIN SELECT RAISE(ABORT, 'test fails'); END`
		}
		if err := b.exec(t.Context(), failing); err != nil {
			t.Fatal(err)
		}
		tx := b.begin(t)
		defer tx.rollback()
		if _, err := tx.publish(t.Context(), c, hookrelay.Event{Type: "test.fails"}); err == nil || errors.Is(err, hookrelay.ErrInvalid) {
			t.Fatalf("Publish against the failing trigger = %v, want a store error", err)
		}
		txStillCommits(t, b, c, tx, "a failed publish")
	})
}

// TestPublishOnReadOnlyDatabase: on a PostgreSQL session whose transactions
// are read-only (a standby, say), Publish and PublishNow fail with an error
// matching ErrUnavailable, and the application's transaction is still usable.
func TestPublishOnReadOnlyDatabase(t *testing.T) {
	b := newPostgres(t)
	b.newClient(t) // migrates
	u, err := url.Parse(b.target)
	if err != nil {
		t.Fatal(err)
	}
	u.RawQuery += "&options=-c%20default_transaction_read_only%3Don"
	pool := openPool(t, u.String())
	c, err := hookrelay.NewPostgres(t.Context(), pool, append(fast(), hookrelay.WithoutMigrate())...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PublishNow(t.Context(), hookrelay.Event{Type: "document.created"}); !errors.Is(err, hookrelay.ErrUnavailable) {
		t.Errorf("PublishNow on a read-only database = %v, want ErrUnavailable", err)
	}
	tx, err := pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.WithoutCancel(t.Context()))
	if _, err := c.Publish(t.Context(), tx, hookrelay.Event{Type: "document.created"}); !errors.Is(err, hookrelay.ErrUnavailable) {
		t.Errorf("Publish on a read-only database = %v, want ErrUnavailable", err)
	}
	var one int
	if err := tx.QueryRow(t.Context(), "SELECT 1").Scan(&one); err != nil {
		t.Errorf("the application's transaction after a refused publish: %v", err)
	}
}

// txStillCommits checks that tx is still usable after publishes in it that
// came to nothing (after names them): a publish in it and its commit succeed
// (both would fail had tx been aborted), and the database then holds that
// one event and none of the earlier ones.
func txStillCommits(t *testing.T, b backend, c client, tx appTx, after string) {
	t.Helper()
	publish(t, c, tx, hookrelay.Event{Type: "document.created"})
	if err := tx.commit(); err != nil {
		t.Fatalf("commit after %s: %v", after, err)
	}
	if n := b.count(t, "webhook_events"); n != 1 {
		t.Errorf("%d events stored after %s, want 1: the one published after them", n, after)
	}
}
