package storetest

import (
	"slices"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
)

// TenantsOlderEventID is the event that TenantsAfterMigration expects the
// older schema to hold, with a pending delivery to endpoint 1.
const TenantsOlderEventID = "0190b6a4-0000-7000-8000-0000000000e1"

// TenantsAfterMigration checks a store migrated from a schema before
// tenants (PostgreSQL 014, SQLite 009) that held endpoint 1, the event
// TenantsOlderEventID and its pending delivery to endpoint 1: every row is
// kept, without tenant, and the endpoint still gets the events published
// without tenant, and none of a tenant's.
func TenantsAfterMigration(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	if e := f.getEndpoint(1); e.TenantID != "" || e.URL == "" {
		t.Errorf("migrated endpoint %+v, want it kept without tenant", e)
	}
	ev, err := s.GetEvent(f.ctx, TenantsOlderEventID)
	if err != nil || ev.TenantID != "" || ev.Type != "document.created" {
		t.Errorf("migrated event %+v (%v), want it kept without tenant", ev, err)
	}
	ds := f.deliveriesOf(TenantsOlderEventID)
	if len(ds) != 1 || ds[0].EndpointID != 1 || ds[0].TenantID != "" || ds[0].Status != store.StatusPending {
		t.Errorf("migrated deliveries %+v, want one pending to endpoint 1 without tenant", ds)
	}
	if got := f.deliveryTargets(f.publish("document.created").Event.ID, ""); !slices.Equal(got, []int64{1}) {
		t.Errorf("event without tenant went to %v, want endpoint 1", got)
	}
	if res := f.publish("document.created", ofTenant("acme")); res.Deliveries != 0 {
		t.Errorf("event of tenant acme: %d deliveries, want none (endpoint 1 has no tenant)", res.Deliveries)
	}
}
