package sqlite_test

import (
	"database/sql"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/sqlite"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestVerificationMigratesFromAnOlderSchema migrates a file that the
// release before endpoint verification migrated (every migration before
// 007), with an endpoint and a queued delivery in it: the endpoint keeps
// every field and is verified (trusted, as before), and its delivery is
// claimed as before.
func TestVerificationMigratesFromAnOlderSchema(t *testing.T) {
	ctx := t.Context()
	path := testdb.SQLitePath(t)
	db, err := sql.Open("sqlite", sqlite.DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	applyBelow(t, db, 7)
	for _, q := range []string{
		`INSERT INTO webhooks (title, target_url, secret, created_by, rate_limit_per_second)
			VALUES ('plain', 'https://a.example/hook', 'secret-a-0123456789', 'api', 7)`,
		`INSERT INTO webhook_events (id, type, data) VALUES ('11111111-2222-4333-8444-555555555555', 'document.created', '{"doc_id": "d-1"}')`,
		`INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload)
			SELECT id, '11111111-2222-4333-8444-555555555555', 'document.created', '{"doc_id": "d-1"}' FROM webhooks`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("rows before verification: %v", err)
		}
	}
	db.Close()

	s := migrated(t, path)
	eps, err := s.ListEndpoints(ctx, store.EndpointFilter{})
	if err != nil || len(eps) != 1 {
		t.Fatalf("endpoints %+v (%v), want the stored one", eps, err)
	}
	e := eps[0]
	if e.Title != "plain" || e.URL != "https://a.example/hook" || e.Secret != "secret-a-0123456789" || e.RateLimitPerSecond != 7 {
		t.Errorf("endpoint %+v, want the stored fields", e)
	}
	if e.Verification != (store.EndpointVerification{}) {
		t.Errorf("verification %+v, want verified (the zero value)", e.Verification)
	}
	claimed, err := s.Claim(ctx, store.ClaimRequest{Limit: 10, Lease: time.Minute, Worker: "w"})
	if err != nil || len(claimed) != 1 || claimed[0].Event.ID != "11111111-2222-4333-8444-555555555555" {
		t.Fatalf("claim = %+v (%v), want the old delivery", claimed, err)
	}
}
