package hookrelay_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay"
)

func TestPublishManyInTheCallersTransaction(t *testing.T) {
	eachDriver(t, func(t *testing.T, b backend) {
		c := started(t, b)
		r := subscribe(t, c)

		tx := b.begin(t)
		rolledBack, err := tx.publishMany(t.Context(), c, []hookrelay.Event{{Type: "document.created"}, {Type: "document.deleted"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.rollback(); err != nil {
			t.Fatal(err)
		}
		nothingQueued(t, b)

		var results []hookrelay.PublishResult
		inTx(t, b, func(tx appTx) {
			results, err = tx.publishMany(t.Context(), c, []hookrelay.Event{
				{Type: "document.created", Data: json.RawMessage(`{"n":1}`)},
				{Type: "document.created", Data: json.RawMessage(`{"n":2}`)},
				{Type: "document.created", Data: json.RawMessage(`{"n":3}`)},
			})
			if err != nil {
				t.Fatal(err)
			}
		})
		var ids []string
		for i, res := range results {
			if !res.Created || res.Deliveries != 1 || res.EventID == "" {
				t.Errorf("result %d = %+v, want a new event with 1 delivery", i, res)
			}
			ids = append(ids, res.EventID)
		}
		expectAll(t, r, ids)
		for _, res := range rolledBack {
			if slices.Contains(r.received(), res.EventID) {
				t.Errorf("the rolled back event %s was delivered", res.EventID)
			}
		}
	})
}

func TestPublishManyRefusesABatchWithAnInvalidEvent(t *testing.T) {
	eachDriver(t, func(t *testing.T, b backend) {
		c := b.newClient(t, fast()...)
		subscribe(t, c)
		tx := b.begin(t)
		defer tx.rollback()
		_, err := tx.publishMany(t.Context(), c, []hookrelay.Event{{Type: "document.created"}, {Type: "a b"}})
		if !errors.Is(err, hookrelay.ErrInvalid) || !strings.Contains(err.Error(), "events[1]: type") {
			t.Errorf("PublishMany with an invalid event = %v, want ErrInvalid naming events[1]: type", err)
		}
		// The transaction is still usable and nothing was written.
		if _, err := tx.publishMany(t.Context(), c, []hookrelay.Event{{Type: "document.created"}}); err != nil {
			t.Errorf("PublishMany after a refused batch: %v", err)
		}
		tooMany := slices.Repeat([]hookrelay.Event{{Type: "document.created"}}, hookrelay.MaxPublishMany+1)
		for _, evs := range [][]hookrelay.Event{nil, tooMany} {
			if _, err := c.PublishManyNow(t.Context(), evs); !errors.Is(err, hookrelay.ErrInvalid) {
				t.Errorf("PublishManyNow of %d events = %v, want ErrInvalid", len(evs), err)
			}
		}
		if _, err := tx.publishManyNil(t.Context(), c, []hookrelay.Event{{Type: "document.created"}}); err == nil || !strings.Contains(err.Error(), "PublishManyNow") {
			t.Errorf("PublishMany without a transaction = %v, want an error pointing to PublishManyNow", err)
		}
	})
}

func TestPublishManyNowIsIdempotentByEventID(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		c := started(t, b)
		r := subscribe(t, c)
		const id = "0193a3c4-0000-7000-8000-000000000002"
		evs := []hookrelay.Event{{ID: id, Type: "signature.created"}, {Type: "signature.created"}, {ID: strings.ToUpper(id), Type: "other.type"}}
		results, err := c.PublishManyNow(t.Context(), evs)
		if err != nil {
			t.Fatal(err)
		}
		if len(results) != 3 || !results[0].Created || !results[1].Created || results[2].Created ||
			results[0].EventID != id || results[2].EventID != id || results[2].Deliveries != 0 {
			t.Fatalf("PublishManyNow = %+v, want two new events and the first one's ID again, not created", results)
		}
		again, err := c.PublishManyNow(t.Context(), evs[:1])
		if err != nil || again[0].Created {
			t.Errorf("PublishManyNow again = %+v, %v; want not created", again, err)
		}
		expectAll(t, r, []string{id, results[1].EventID})
		if n := b.count(t, "webhook_deliveries"); n != 2 {
			t.Errorf("%d deliveries, want 2", n)
		}
	})
}

// expectAll waits until the receiver accepted every event of ids.
func expectAll(t *testing.T, r *receiver, ids []string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := r.received()
		missing := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return slices.Contains(got, id) })
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("events %v were not delivered; got %v", missing, got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
