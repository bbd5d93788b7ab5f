package postgres_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// ackifySecret is a secret as Ackify CE keeps it: a plain string, here one
// that starts like a Standard Webhooks secret without being base64.
const ackifySecret = "whsec_my-ackify-secret"

// TestAckifyDropIn runs hookrelay on a database that Ackify CE created, at
// each schema version from the seed commit to today: Ackify's rows go in,
// `hookrelay migrate` adds what is missing and changes nothing Ackify relies
// on, the row Ackify enqueued is delivered in Ackify's wire format (checked by
// an independent ComputeSignature with an exact header comparison), rows
// hookrelay writes carry Ackify's tenant, and Ackify's own webhook statements
// still run afterwards. Where Ackify's row-level security exists, hookrelay
// and Ackify connect as a runtime role that is not the tables' owner.
func TestAckifyDropIn(t *testing.T) {
	for _, v := range testdb.AckifyVersions {
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			testAckifyDropIn(t, v.Stages)
		})
	}
}

// TestAckifyMigratesAfterHookrelay: on a database at Ackify's seed schema
// that hookrelay migrated, Ackify's later steps (jitter, tenants, row-level
// security) still apply, and its tenant step gives hookrelay's rows the
// instance's tenant too.
func TestAckifyMigratesAfterHookrelay(t *testing.T) {
	u := testdb.PostgresURL(t)
	owner := testdb.Connect(t, u)
	_, role := testdb.PostgresRole(t, owner, u)
	testdb.BuildAckify(t, owner, role, []testdb.AckifyStage{testdb.AckifySeed})
	s := migrated(t, u)
	ep, err := s.CreateEndpoint(t.Context(), store.Endpoint{URL: "https://a.example/hook", Secret: ackifySecret, Active: true, SignatureProfile: store.ProfileAckify})
	if err != nil {
		t.Fatal(err)
	}
	for _, later := range []testdb.AckifyStage{testdb.AckifyJitter, testdb.AckifyTenants, testdb.AckifyRLS} {
		if _, err := owner.Exec(t.Context(), later.SQL(role)); err != nil {
			t.Fatalf("Ackify's step %s after hookrelay: %v", later.Name, err)
		}
	}
	var tenantless int
	if err := owner.QueryRow(t.Context(), `SELECT count(*) FROM webhooks WHERE id = $1 AND tenant_id IS NULL`, ep.ID).Scan(&tenantless); err != nil || tenantless != 0 {
		t.Errorf("hookrelay's endpoint has no tenant after Ackify's tenant step (%v)", err)
	}
}

// request is one request the test's Ackify receiver got.
type request struct {
	header http.Header
	body   []byte
}

func testAckifyDropIn(t *testing.T, stages []testdb.AckifyStage) {
	ctx := t.Context()
	ownerURL := testdb.PostgresURL(t)
	owner := testdb.Connect(t, ownerURL)
	withTenant, withRLS := testdb.HasAckifyStage(stages, "tenants"), testdb.HasAckifyStage(stages, "rls")

	// Ackify connects as its runtime role once RLS exists, as the owner before.
	ackifyURL, role := ownerURL, ""
	if withRLS {
		ackifyURL, role = testdb.PostgresRole(t, owner, ownerURL)
	}
	testdb.BuildAckify(t, owner, role, stages)
	tenant := ""
	if withTenant {
		if err := owner.QueryRow(ctx, `SELECT id::text FROM instance_metadata`).Scan(&tenant); err != nil {
			t.Fatal(err)
		}
	}
	ackify := testdb.Connect(t, ackifyURL)
	queries := func(tx pgx.Tx) ackifyQueries { return ackifyQueries{t, tx, withTenant, tenant} }

	got := make(chan request, 16)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- request{r.Header.Clone(), body}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(receiver.Close)

	// Ackify's rows from before hookrelay: a webhook and a queued delivery.
	const eventID = "3e0f5d7a-1b2c-4d3e-8f90-a1b2c3d4e5f6"
	payload, _ := json.Marshal(map[string]string{"doc_id": "doc-42", "user_email": "ada@example.com", "user_name": "Ada"})
	var endpointID, deliveryID int64
	ackifyTx(t, ackify, tenant, func(tx pgx.Tx) {
		q := queries(tx)
		endpointID = q.CreateEndpoint("CRM", receiver.URL+"/ackify", ackifySecret, []string{"signature.created"})
		deliveryID, _ = q.Enqueue(endpointID, "signature.created", eventID, payload)
	})

	before := ackifySchema(t, owner)
	s := migrated(t, ownerURL) // hookrelay migrate, as the owner of Ackify's tables
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	after := ackifySchema(t, owner)
	for what, was := range before {
		if after[what] != was {
			t.Errorf("migrate changed %s:\n was %s\n now %s", what, was, after[what])
		}
	}
	var profile *string
	if err := owner.QueryRow(ctx, `SELECT signature_profile FROM webhooks WHERE id = $1`, endpointID).Scan(&profile); err != nil || profile != nil {
		t.Errorf("Ackify's webhook names the profile %v (%v), want none: it gets HOOKRELAY_SIGNATURE_PROFILE", profile, err)
	}

	// hookrelay serve as the runtime role, in Ackify's tenant.
	hookrelayURL := ackifyURL
	if withRLS {
		testdb.GrantHookrelayTables(t, owner, role)
	}
	if withTenant {
		hookrelayURL = testdb.WithPostgresOptions(t, ackifyURL, "-c app.tenant_id="+tenant)
	}
	hr := migrated(t, hookrelayURL) // serve migrates at start: a no-op for a role that may not create
	claimed, err := hr.Claim(ctx, store.ClaimRequest{Limit: 10, Lease: time.Minute, Worker: "hookrelay-test"})
	if err != nil || len(claimed) != 1 || claimed[0].Delivery.ID != deliveryID {
		t.Fatalf("claim = %d deliveries (%v), want Ackify's delivery %d", len(claimed), err, deliveryID)
	}
	sender := delivery.NewSender(delivery.SenderOptions{Timeout: 5 * time.Second, AllowPrivate: true, DefaultProfile: store.ProfileAckify})
	res := sender.Send(ctx, claimed[0])
	if res.Class != delivery.Delivered {
		t.Fatalf("send: %v %q", res.Class, res.Attempt.Error)
	}
	outcome := store.Outcome{Lease: claimed[0].Lease, Result: store.ResultDelivered, Attempt: res.Attempt}
	if _, err := hr.Complete(ctx, []store.Outcome{outcome}, store.HealthPolicy{}); err != nil {
		t.Fatalf("complete: %v", err)
	}
	var stored string
	if err := owner.QueryRow(ctx, `SELECT payload::text FROM webhook_deliveries WHERE id = $1`, deliveryID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	checkAckifyRequest(t, <-got, stored, eventID, "signature.created")

	if withTenant {
		// Rows hookrelay creates carry the tenant, so Ackify's policies admit them.
		ep, err := hr.CreateEndpoint(ctx, store.Endpoint{URL: receiver.URL + "/new", Secret: ackifySecret, Active: true, SignatureProfile: store.ProfileAckify})
		if err != nil {
			t.Fatalf("create endpoint: %v", err)
		}
		res, err := hr.Publish(ctx, store.Event{ID: "7c9e6679-7425-40de-944b-e07fc1f90ae7", Type: "signature.created", Data: json.RawMessage(`{"doc_id":"doc-43"}`)}, store.PublishOptions{MaxRetries: 6})
		if err != nil || res.Deliveries != 2 {
			t.Fatalf("publish: %+v, %v; want deliveries to Ackify's webhook and the new endpoint", res, err)
		}
		var untagged int
		err = owner.QueryRow(ctx, `
			SELECT (SELECT count(*) FROM webhooks WHERE id = $1 AND tenant_id IS DISTINCT FROM $2::uuid)
			     + (SELECT count(*) FROM webhook_deliveries WHERE event_id = $3 AND tenant_id IS DISTINCT FROM $2::uuid)`,
			ep.ID, tenant, res.Event.ID).Scan(&untagged)
		if err != nil || untagged != 0 {
			t.Errorf("%d rows hookrelay wrote lack the tenant %s (%v)", untagged, tenant, err)
		}
	}

	// The rest of what serve does, with the same connection.
	if err := hr.SyncConfigEndpoints(ctx, []string{receiver.URL + "/config"}, ackifySecret); err != nil {
		t.Errorf("sync WEBHOOK_URLS: %v", err)
	}
	if _, err := hr.RescueExpired(ctx, 0); err != nil {
		t.Errorf("rescue: %v", err)
	}
	if list, err := hr.ListDeliveries(ctx, store.DeliveryFilter{EndpointID: endpointID, Limit: 10}); err != nil || len(list) == 0 {
		t.Errorf("list deliveries: %d, %v; want Ackify's", len(list), err)
	}
	if _, err := hr.DeleteFinishedBefore(ctx, time.Now().Add(-time.Hour)); err != nil {
		t.Errorf("retention: %v", err)
	}

	// Ackify's own statements, afterwards.
	ackifyTx(t, ackify, tenant, func(tx pgx.Tx) {
		q := queries(tx)
		rows := q.ListByEndpoint(endpointID)
		if len(rows) == 0 || rows[len(rows)-1].ID != deliveryID || rows[len(rows)-1].Status != "delivered" ||
			rows[len(rows)-1].ResponseStatus == nil || *rows[len(rows)-1].ResponseStatus != 200 {
			t.Errorf("Ackify's ListByWebhook %+v, want its delivery %d delivered with 200", rows, deliveryID)
		}
		other := q.CreateEndpoint("Mail", receiver.URL+"/mail", "another-plain-secret", []string{"document.created"})
		q.UpdateEndpoint(other, "Mail (edited)", receiver.URL+"/mail2", []string{"document.created", "signature.created"})
		if ids := q.ListActiveByEvent("signature.created"); len(ids) != 2 {
			t.Errorf("Ackify's ListActiveByEvent = %v, want its two webhooks", ids)
		}
		if n := q.CountEndpoints(); n < 2 {
			t.Errorf("Ackify's Count = %d, want at least 2", n)
		}
		id, status := q.Enqueue(other, "signature.created", "9b2f4c1e-5d6a-4e7b-8c9d-0e1f2a3b4c5d", payload)
		if status != "pending" {
			t.Errorf("Ackify's Enqueue: status %q, want pending", status)
		}
		items := q.GetNextToProcess(100)
		var mine *ackifyItem
		for i := range items {
			if items[i].ID == id {
				mine = &items[i]
			}
		}
		if mine == nil || mine.Status != "processing" || mine.Secret != "another-plain-secret" || string(mine.Payload) != stored {
			t.Fatalf("Ackify's GetNextToProcess = %+v, want its delivery %d processing", items, id)
		}
		q.MarkFailed(id, true)
		_ = q.GetRetryable(100) // its retry is scheduled in a minute or more
		for _, it := range items {
			if it.ID != id {
				q.MarkDelivered(it.ID)
			}
		}
		var retry int
		var due time.Time
		if err := tx.QueryRow(ctx, `SELECT retry_count, scheduled_for FROM webhook_deliveries WHERE id = $1`, id).Scan(&retry, &due); err != nil || retry != 1 || time.Until(due) < 90*time.Second {
			t.Errorf("after Ackify's MarkFailed: retry %d, due %v (%v); want 1, in about 2 minutes (Ackify's backoff)", retry, due, err)
		}
		q.MarkFailed(id, false)
		if n := q.CleanupOld(-time.Minute); n < 2 {
			t.Errorf("Ackify's CleanupOld removed %d rows, want every finished one", n)
		}
	})
}

// checkAckifyRequest checks one request against Ackify CE's worker: the body
// is the stored payload as it is, and the headers are Ackify's, with exactly
// one X-Ackify-Signature equal to what Ackify's ComputeSignature gives.
func checkAckifyRequest(t *testing.T, r request, payload, eventID, eventType string) {
	t.Helper()
	if string(r.body) != payload {
		t.Errorf("body %s, want the stored payload %s", r.body, payload)
	}
	var fields map[string]string
	if err := json.Unmarshal(r.body, &fields); err != nil || fields["doc_id"] != "doc-42" {
		t.Errorf("an Ackify receiver reads doc_id %q from %s (%v)", fields["doc_id"], r.body, err)
	}
	h := r.header
	if h.Get("User-Agent") != "Ackify-Webhooks/1.0" || h.Get("X-Ackify-Event") != eventType || h.Get("X-Ackify-Event-Id") != eventID {
		t.Errorf("headers %v, want Ackify's", h)
	}
	ts := h.Get("X-Ackify-Timestamp")
	mac := hmac.New(sha256.New, []byte(ackifySecret))
	fmt.Fprintf(mac, "%s.%s.%s.%s", ts, eventID, eventType, r.body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if values := h.Values("X-Ackify-Signature"); len(values) != 1 || values[0] != want {
		t.Errorf("X-Ackify-Signature %q, want exactly %q", values, want)
	}
}

// ackifySchema describes what Ackify relies on, by name: its functions,
// triggers, policies and RLS switches, its indexes and columns, and
// golang-migrate's record.
func ackifySchema(t *testing.T, conn *pgx.Conn) map[string]string {
	t.Helper()
	const q = `
		SELECT 'function ' || p.oid::regprocedure::text, pg_get_functiondef(p.oid)
		FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace
		UNION ALL
		SELECT 'trigger ' || tgname, pg_get_triggerdef(oid) FROM pg_trigger
		WHERE NOT tgisinternal AND tgrelid IN ('webhooks'::regclass, 'webhook_deliveries'::regclass)
		UNION ALL
		SELECT 'policy ' || polname, pg_get_expr(polqual, polrelid) || ' / ' || pg_get_expr(polwithcheck, polrelid) FROM pg_policy
		WHERE polrelid IN ('webhooks'::regclass, 'webhook_deliveries'::regclass)
		UNION ALL
		SELECT 'table ' || relname, format('rls %s force %s', relrowsecurity, relforcerowsecurity) FROM pg_class
		WHERE oid IN ('webhooks'::regclass, 'webhook_deliveries'::regclass)
		UNION ALL
		SELECT 'index ' || indexname, indexdef FROM pg_indexes
		WHERE schemaname = current_schema() AND tablename IN ('webhooks', 'webhook_deliveries')
		UNION ALL
		SELECT 'column ' || table_name || '.' || column_name,
		       format('%s default %s nullable %s', data_type, column_default, is_nullable)
		FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name IN ('webhooks', 'webhook_deliveries', 'email_queue')
		UNION ALL
		SELECT 'schema_migrations', string_agg(format('%s dirty %s', version, dirty), ', ') FROM schema_migrations`
	rows, err := conn.Query(t.Context(), q)
	if err != nil {
		t.Fatalf("describe Ackify's schema: %v", err)
	}
	out := map[string]string{}
	var name, def string
	if _, err := pgx.ForEachRow(rows, []any{&name, &def}, func() error { out[name] = def; return nil }); err != nil {
		t.Fatalf("describe Ackify's schema: %v", err)
	}
	return out
}
