package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

var publishManyTests = []test{
	{"PublishManyPublishesEachEventAlone", func(t *testing.T, f *fixture) {
		all := f.endpoint(endpointRetries(9))
		docs := f.endpoint(subscribedTo("document.*"))
		picky := f.endpoint(subscribedTo("reminder.sent"))
		old := f.publish("document.created")
		repeated := store.NewEventID()
		pubs := []store.Publication{
			{Event: store.Event{Type: "document.created", Data: json.RawMessage(`{"a":1}`), Priority: 2}, Options: store.PublishOptions{MaxRetries: 4}},
			{Event: store.Event{Type: "bad type"}},
			{Event: store.Event{ID: repeated, Type: "signature.created"}, Options: store.PublishOptions{EndpointIDs: []int64{picky.ID}}},
			{Event: old.Event},
			{Event: store.Event{ID: strings.ToUpper(repeated), Type: "other.type"}},
			{Event: store.Event{Type: "document.created", Data: json.RawMessage(`{`)}},
			{Event: store.Event{Type: "reminder.sent"}, Options: store.PublishOptions{EndpointIDs: []int64{docs.ID, 404}}},
		}
		results, err := f.s.PublishMany(f.ctx, pubs)
		if err != nil {
			t.Fatalf("publish many: %v", err)
		}
		if len(results) != len(pubs) {
			t.Fatalf("%d results for %d publications", len(results), len(pubs))
		}
		var fe *store.FieldError
		for _, i := range []int{1, 5} {
			if !errors.As(results[i].Err, &fe) || results[i].Created || results[i].Event.ID != "" {
				t.Errorf("result %d = %+v, want only a field error", i, results[i])
			}
		}
		if fe.Field != "data" {
			t.Errorf("bad data refused on %q, want data", fe.Field)
		}
		want := []struct {
			i          int
			created    bool
			deliveries int
			to         []int64
		}{
			{0, true, 2, []int64{all.ID, docs.ID}},
			{2, true, 1, []int64{picky.ID}},
			{3, false, 0, nil},
			{4, false, 0, nil},
			{6, true, 1, []int64{docs.ID}},
		}
		for _, w := range want {
			r := results[w.i]
			if r.Err != nil || r.Created != w.created || r.Deliveries != w.deliveries {
				t.Errorf("result %d = %+v, want created %v with %d deliveries", w.i, r, w.created, w.deliveries)
				continue
			}
			f.recent("event CreatedAt", r.Event.CreatedAt)
			if w.created {
				if got := deliveryEndpointIDs(f.deliveriesOf(r.Event.ID)); !slices.Equal(got, w.to) {
					t.Errorf("result %d went to %v, want %v", w.i, got, w.to)
				}
			}
		}
		if r := results[0]; r.Event.Type != "document.created" || r.Event.Priority != 2 || r.Event.ID == "" {
			t.Errorf("first event %+v", r.Event)
		}
		sameJSON(t, "first event data", results[0].Event.Data, []byte(`{"a":1}`))
		for _, d := range f.deliveriesOf(results[0].Event.ID) {
			sameJSON(t, "payload", d.Payload, []byte(`{"a":1}`))
			retries := map[int64]int{all.ID: 9, docs.ID: 4}[d.EndpointID]
			if d.Priority != 2 || d.MaxRetries != retries || d.Status != store.StatusPending || d.EventType != "document.created" {
				t.Errorf("delivery %+v: want pending, priority 2, %d retries", d, retries)
			}
		}
		if got := results[3].Event; got.ID != old.Event.ID || got.Type != old.Event.Type {
			t.Errorf("a published ID returned %+v, want the stored event", got)
		}
		if got := results[4].Event; got.ID != repeated || got.Type != "signature.created" {
			t.Errorf("an ID repeated in the batch returned %+v, want the first one's event", got)
		}
		if ds := f.deliveriesOf(old.Event.ID); len(ds) != old.Deliveries {
			t.Errorf("the published ID has %d deliveries, want still %d", len(ds), old.Deliveries)
		}
	}},
	{"PublishManyTwiceCreatesNothingMore", func(t *testing.T, f *fixture) {
		f.endpoint()
		pubs := make([]store.Publication, 50)
		for i := range pubs {
			pubs[i] = store.Publication{Event: store.Event{ID: store.NewEventID(), Type: "document.created"}}
		}
		for round, created := range []bool{true, false} {
			results, err := f.s.PublishMany(f.ctx, pubs)
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			for i, r := range results {
				if r.Err != nil || r.Created != created || r.Event.ID != pubs[i].Event.ID {
					t.Fatalf("round %d, result %d = %+v, want created %v", round, i, r, created)
				}
			}
		}
		if ds := f.list(store.DeliveryFilter{}); len(ds) != len(pubs) {
			t.Errorf("%d deliveries, want %d", len(ds), len(pubs))
		}
	}},
	{"PublishManyRefusesNoneOrTooMany", func(t *testing.T, f *fixture) {
		f.endpoint()
		for _, n := range []int{0, store.MaxPublishMany + 1} {
			pubs := make([]store.Publication, n)
			for i := range pubs {
				pubs[i] = store.Publication{Event: store.Event{Type: "document.created"}}
			}
			_, err := f.s.PublishMany(f.ctx, pubs)
			var fe *store.FieldError
			if !errors.As(err, &fe) || fe.Field != "events" {
				t.Errorf("%d events: %v, want a field error on events", n, err)
			}
		}
		if ds := f.list(store.DeliveryFilter{}); len(ds) != 0 {
			t.Errorf("refused batches created %d deliveries", len(ds))
		}
	}},
	{"PublishManyWakesWorkers", func(t *testing.T, f *fixture) {
		f.endpoint()
		wake := f.s.Wakeups(f.ctx)
		// The listener may not listen yet when Wakeups returns: publish until
		// a wakeup comes.
		Eventually(t, "a wakeup after PublishMany", func() bool {
			if _, err := f.s.PublishMany(f.ctx, []store.Publication{{Event: store.Event{Type: "document.created"}}}); err != nil {
				t.Fatal(err)
			}
			select {
			case <-wake:
				return true
			case <-time.After(50 * time.Millisecond):
				return false
			}
		})
	}},
	{"ConcurrentPublishesFailAlone", func(t *testing.T, f *fixture) {
		// Concurrent publishes share transactions; an invalid event, or one
		// that a store cannot write (a priority beyond 32 bits fails on
		// PostgreSQL), must fail alone.
		f.endpoint()
		f.endpoint()
		var wg sync.WaitGroup
		var mu sync.Mutex
		published := map[string]bool{}
		for g := range 16 {
			wg.Go(func() {
				for i := range 10 {
					ev := store.Event{Type: "document.created"}
					valid := true
					switch (g + i) % 4 {
					case 0:
						ev.Data, valid = json.RawMessage(`{`), false
					case 1:
						ev.Priority = 1 << 40
					}
					res, err := f.s.Publish(f.ctx, ev, store.PublishOptions{})
					var fe *store.FieldError
					switch {
					case !valid && !errors.As(err, &fe):
						t.Errorf("invalid event: %v, want a field error", err)
					case valid && ev.Priority == 0 && (err != nil || res.Deliveries != 2):
						t.Errorf("valid event: %+v, %v", res, err)
					case err == nil:
						mu.Lock()
						published[res.Event.ID] = true
						mu.Unlock()
					}
				}
			})
		}
		testwait.Group(t, &wg, "publishers")
		ds := f.list(store.DeliveryFilter{})
		if len(ds) != 2*len(published) {
			t.Fatalf("%d deliveries, want %d", len(ds), 2*len(published))
		}
		for _, d := range ds {
			if !published[d.EventID] {
				t.Errorf("delivery of an event not published: %s", d.EventID)
			}
		}
	}},
	{"PublishWithAnEndedContextWritesNothing", func(t *testing.T, f *fixture) {
		f.endpoint()
		ctx, cancel := context.WithCancel(f.ctx)
		cancel()
		id := store.NewEventID()
		if _, err := f.s.Publish(ctx, store.Event{ID: id, Type: "document.created"}, store.PublishOptions{}); !errors.Is(err, context.Canceled) {
			t.Errorf("publish: %v, want context.Canceled", err)
		}
		// Publishes are written in order: once this one returns, the
		// cancelled one has had its turn.
		f.publish("document.created")
		_, err := f.s.GetEvent(f.ctx, id)
		wantErr(t, "event of a cancelled publish", err, store.ErrNotFound)
	}},
}
