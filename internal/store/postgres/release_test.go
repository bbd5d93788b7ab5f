package postgres_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestMigrateFromTheFirstRelease migrates a database that the first release
// migrated (testdata/release1 holds its 001 and 002 as they were, recorded in
// hookrelay_schema_migrations), with rows in it: the rows are kept, endpoints
// keep the profile they named, new rows may name none, and the queued
// delivery is claimed with its event as before.
func TestMigrateFromTheFirstRelease(t *testing.T) {
	ctx := t.Context()
	u := testdb.PostgresURL(t)
	conn := olderSchema(t, u, "testdata/release1", 3, `
		INSERT INTO webhooks (title, target_url, secret, created_by) VALUES ('plain', 'https://a.example/hook', 'secret-a-0123456789', 'api');
		INSERT INTO webhooks (title, target_url, secret, created_by, signature_profile) VALUES ('ackify', 'https://b.example/hook', 'secret-b-0123456789', 'api', 'ackify');
		INSERT INTO webhook_events (id, type, data) VALUES ('11111111-2222-4333-8444-555555555555', 'document.created', '{"doc_id": "d-1"}');
		INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload)
			SELECT id, '11111111-2222-4333-8444-555555555555', 'document.created', '{"doc_id": "d-1"}' FROM webhooks WHERE title = 'plain'`)

	s := open(t, u)
	if current, err := s.MigrationsCurrent(ctx); err != nil || current {
		t.Fatalf("MigrationsCurrent before = %v, %v; want false", current, err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if current, err := s.MigrationsCurrent(ctx); err != nil || !current {
		t.Fatalf("MigrationsCurrent after = %v, %v; want true", current, err)
	}

	endpoints, err := s.ListEndpoints(ctx, store.EndpointFilter{})
	if err != nil || len(endpoints) != 2 {
		t.Fatalf("endpoints %+v (%v), want the 2 of the first release", endpoints, err)
	}
	if endpoints[0].SignatureProfile != store.ProfileStandard || endpoints[1].SignatureProfile != store.ProfileAckify {
		t.Errorf("profiles %q, %q; want the stored standard and ackify", endpoints[0].SignatureProfile, endpoints[1].SignatureProfile)
	}
	var named *string
	err = conn.QueryRow(ctx, `
		INSERT INTO webhooks (title, target_url, secret) VALUES ('foreign', 'https://c.example/hook', 's')
		RETURNING signature_profile`).Scan(&named)
	if err != nil || named != nil {
		t.Errorf("a row inserted without a profile names %v (%v), want none", named, err)
	}

	claimed, err := s.Claim(ctx, store.ClaimRequest{Limit: 10, Lease: time.Minute, Worker: "w"})
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim = %d (%v), want the queued delivery", len(claimed), err)
	}
	c := claimed[0]
	var data map[string]string
	if err := json.Unmarshal(c.Event.Data, &data); err != nil || c.Event.Type != "document.created" || data["doc_id"] != "d-1" {
		t.Errorf("claimed event %+v (%v), want the stored one", c.Event, err)
	}
}
