package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestPublishGroupFallsBackToOneByOne writes one group holding an event the
// database refuses (a priority beyond 32 bits) beside valid and invalid ones:
// the group's transaction fails, and each publish is written alone, so that
// only the bad one fails.
func TestPublishGroupFallsBackToOneByOne(t *testing.T) {
	s := migrated(t, testdb.PostgresURL(t))
	if _, err := s.CreateEndpoint(t.Context(), store.Endpoint{URL: "https://a.example/hook", Secret: "s", Active: true}); err != nil {
		t.Fatal(err)
	}
	ended, cancel := context.WithCancel(t.Context())
	cancel()
	group := s.WriteGroup(t.Context(), []store.Publication{
		{Event: store.Event{Type: "document.created"}},
		{Event: store.Event{Type: "document.created", Priority: 1 << 40}},
		{Event: store.Event{Type: "bad type"}},
		{Event: store.Event{Type: "document.created"}},
	})
	if c := group[0]; c.Err != nil || !c.Result.Created || c.Result.Deliveries != 1 {
		t.Errorf("valid publish: %+v, %v", c.Result, c.Err)
	}
	var fe *store.FieldError
	if c := group[1]; c.Err == nil || errors.As(c.Err, &fe) {
		t.Errorf("publish beyond 32 bits: %v, want a database error", c.Err)
	}
	if c := group[2]; !errors.As(c.Err, &fe) || fe.Field != "type" {
		t.Errorf("invalid publish: %v, want a field error on type", c.Err)
	}
	if c := group[3]; c.Err != nil || !c.Result.Created {
		t.Errorf("valid publish after the bad ones: %+v, %v", c.Result, c.Err)
	}
	ds, err := s.ListDeliveries(t.Context(), store.DeliveryFilter{})
	if err != nil || len(ds) != 2 {
		t.Errorf("%d deliveries, %v; want 2, of the valid publishes", len(ds), err)
	}

	// A call whose caller went away before the group started is not written.
	group = s.WriteGroup(ended, []store.Publication{{Event: store.Event{ID: store.NewEventID(), Type: "document.created"}}})
	if !errors.Is(group[0].Err, context.Canceled) {
		t.Errorf("publish of an ended context: %v, want context.Canceled", group[0].Err)
	}
	if _, err := s.GetEvent(t.Context(), group[0].Value.Event.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("event of an ended context: %v, want not found", err)
	}
}
