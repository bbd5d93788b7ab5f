package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/postgres"
	"github.com/hookrelay/hookrelay/internal/testdb"
	"github.com/hookrelay/hookrelay/internal/testwait"
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

// TestHeldOrderingKeyDelaysOnlyItsKey holds ordering key "k" in an
// application's transaction (PublishTx) and publishes meanwhile: a group
// holding a publish of "k" writes its other publishes at once and leaves
// that one out, publishes of no key finish while publishes of "k" wait, and
// once the application commits those follow its delivery in ID order.
func TestHeldOrderingKeyDelaysOnlyItsKey(t *testing.T) {
	u := testdb.PostgresURL(t)
	s := migrated(t, u)
	if _, err := s.CreateEndpoint(t.Context(), store.Endpoint{URL: "https://a.example/hook", Secret: "s", Active: true}); err != nil {
		t.Fatal(err)
	}
	tx, err := testdb.Connect(t, u).Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	rollBackAtEnd(t, tx)
	app, err := postgres.PublishTx(t.Context(), tx, store.Event{Type: "x", OrderingKey: "k"}, store.PublishOptions{})
	if err != nil {
		t.Fatal(err)
	}

	// One group: the keyed publish is left out, the other one written.
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	group := s.WriteGroup(ctx, []store.Publication{
		{Event: store.Event{Type: "x", OrderingKey: "k"}},
		{Event: store.Event{Type: "x"}},
	})
	if c := group[1]; c.Err != nil || !c.Result.Created {
		t.Fatalf("publish of no key in a group with a held key: %+v, %v", c.Result, c.Err)
	}
	if c := group[0]; c.Err == nil || c.Result.Created {
		t.Errorf("publish of the held key: %+v, %v; want it left out of the group", c.Result, c.Err)
	}

	// More publishes of "k" than there are group writers wait; publishes of
	// no key go on.
	var wg sync.WaitGroup
	keyed := make([]error, 6)
	for i := range keyed {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			_, keyed[i] = s.Publish(ctx, store.Event{Type: "x", OrderingKey: "k"}, store.PublishOptions{})
		})
	}
	for i := range 20 {
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		_, err := s.Publish(ctx, store.Event{Type: "x"}, store.PublishOptions{})
		cancel()
		if err != nil {
			t.Fatalf("publish %d of no key while key k is held: %v", i, err)
		}
	}
	if err := tx.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	testwait.Group(t, &wg, "publishes of key k")
	for i, err := range keyed {
		if err != nil {
			t.Errorf("publish %d of key k: %v", i, err)
		}
	}
	ds, err := s.ListDeliveries(t.Context(), store.DeliveryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var first store.Delivery
	n := 0
	for _, d := range ds {
		if d.OrderingKey == "k" {
			n++
			if first.ID == 0 || d.ID < first.ID {
				first = d
			}
		}
	}
	if n != 7 || first.EventID != app.Event.ID {
		t.Errorf("%d deliveries of key k, first of event %s; want 7, first of the application's event %s", n, first.EventID, app.Event.ID)
	}
}
