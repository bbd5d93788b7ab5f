package postgres_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestAckifyTenantsAreUUIDs: on a database with today's Ackify CE schema
// (tenant columns, forced row-level security), migration 014 keeps the
// tenant columns UUIDs; hookrelay, connected as Ackify's runtime role in the
// instance's tenant, refuses other tenant IDs with a clear error, stores
// UUIDs canonical, stamps endpoints and events published without tenant
// with the session's app.tenant_id, and routes them to the tenant's
// endpoints through Ackify's policies.
func TestAckifyTenantsAreUUIDs(t *testing.T) {
	ctx := t.Context()
	ownerURL := testdb.PostgresURL(t)
	owner := testdb.Connect(t, ownerURL)
	ackifyURL, role := testdb.PostgresRole(t, owner, ownerURL)
	testdb.BuildAckify(t, owner, role, []testdb.AckifyStage{testdb.AckifySeed, testdb.AckifyJitter, testdb.AckifyTenants, testdb.AckifyRLS})
	var tenant string
	if err := owner.QueryRow(ctx, `SELECT id::text FROM instance_metadata`).Scan(&tenant); err != nil {
		t.Fatal(err)
	}
	migrated(t, ownerURL)
	testdb.GrantHookrelayTables(t, owner, role)
	hr := migrated(t, testdb.WithPostgresOptions(t, ackifyURL, "-c app.tenant_id="+tenant))

	if f, err := hr.TenantFormat(ctx); err != nil || f != store.TenantUUID {
		t.Fatalf("tenant format %v (%v), want TenantUUID on Ackify's database", f, err)
	}
	_, err := hr.CreateEndpoint(ctx, store.Endpoint{URL: "https://a.example/hook", Secret: ackifySecret, Active: true, TenantID: "acme"})
	var fe *store.FieldError
	if !errors.As(err, &fe) || fe.Field != "tenant_id" || !strings.Contains(fe.Message, "must be a UUID on this database") {
		t.Errorf("endpoint in tenant acme: %v, want a FieldError saying tenant ids are UUIDs here", err)
	}
	ep, err := hr.CreateEndpoint(ctx, store.Endpoint{URL: "https://a.example/hook", Secret: ackifySecret, Active: true})
	if err != nil || ep.TenantID != tenant {
		t.Fatalf("endpoint without tenant: %+v (%v), want the session's tenant %s", ep, err, tenant)
	}
	for _, given := range []string{"", strings.ToUpper(tenant)} {
		res, err := hr.Publish(ctx, store.Event{Type: "signature.created", Data: json.RawMessage(`{}`), TenantID: given}, store.PublishOptions{MaxRetries: 3})
		if err != nil || res.Deliveries != 1 || res.Event.TenantID != tenant {
			t.Errorf("publish with tenant %q: %+v (%v), want one delivery in %s", given, res, err, tenant)
		}
	}
	events, err := hr.ListEvents(ctx, store.EventFilter{TenantID: tenant})
	if err != nil || len(events) != 2 {
		t.Errorf("events of the tenant: %d (%v), want 2", len(events), err)
	}
	ds, err := hr.ListDeliveries(ctx, store.DeliveryFilter{TenantID: tenant})
	if err != nil || len(ds) != 2 || ds[0].TenantID != tenant {
		t.Errorf("deliveries of the tenant: %+v (%v), want 2 in %s", ds, err, tenant)
	}
	_, err = hr.Publish(ctx, store.Event{Type: "signature.created", TenantID: "acme"}, store.PublishOptions{})
	if !errors.As(err, &fe) || fe.Field != "tenant_id" {
		t.Errorf("publish in tenant acme: %v, want a FieldError on tenant_id", err)
	}
}
