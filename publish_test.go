package hookrelay_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

func TestCommittedPublishIsDelivered(t *testing.T) {
	eachDriver(t, func(t *testing.T, b backend) {
		c := started(t, b)
		r := subscribe(t, c)
		var res hookrelay.PublishResult
		inTx(t, b, func(tx appTx) {
			res = publish(t, c, tx, hookrelay.Event{Type: "document.created", Data: json.RawMessage(`{"document_id":"d1"}`)})
		})
		if !res.Created || res.Deliveries != 1 || res.EventID == "" {
			t.Fatalf("Publish = %+v, want a new event with 1 delivery", res)
		}
		r.expect(t, res.EventID)
	})
}

func TestRolledBackPublishLeavesNothing(t *testing.T) {
	eachDriver(t, func(t *testing.T, b backend) {
		c := started(t, b)
		r := subscribe(t, c)
		tx := b.begin(t)
		rolledBack := publish(t, c, tx, hookrelay.Event{Type: "document.created"})
		if err := tx.rollback(); err != nil {
			t.Fatal(err)
		}
		nothingQueued(t, b)

		// Workers deliver what comes next, and only that.
		marker, err := c.PublishNow(t.Context(), hookrelay.Event{Type: "document.created"})
		if err != nil {
			t.Fatal(err)
		}
		r.expect(t, marker.EventID)
		if got := r.received(); slices.Contains(got, rolledBack.EventID) {
			t.Errorf("the rolled back event %s was delivered", rolledBack.EventID)
		}
	})
}

// nothingQueued checks that no event and no delivery exist.
func nothingQueued(t *testing.T, b backend) {
	t.Helper()
	for _, table := range []string{"webhook_events", "webhook_deliveries"} {
		if n := b.count(t, table); n != 0 {
			t.Errorf("%s has %d rows, want none", table, n)
		}
	}
}

func TestPublishIsIdempotentByEventID(t *testing.T) {
	eachDriver(t, func(t *testing.T, b backend) {
		c := started(t, b)
		r := subscribe(t, c)
		ev := hookrelay.Event{ID: "0193a3c4-0000-7000-8000-000000000001", Type: "signature.created"}
		var first, again hookrelay.PublishResult
		inTx(t, b, func(tx appTx) { first = publish(t, c, tx, ev) })
		inTx(t, b, func(tx appTx) { again = publish(t, c, tx, ev) })
		if !first.Created || first.Deliveries != 1 {
			t.Errorf("first Publish = %+v, want a new event with 1 delivery", first)
		}
		if again.Created || again.Deliveries != 0 || again.EventID != ev.ID {
			t.Errorf("second Publish = %+v, want the existing event and no delivery", again)
		}
		r.expect(t, ev.ID)
		if n := b.count(t, "webhook_deliveries"); n != 1 {
			t.Errorf("%d deliveries, want 1", n)
		}
	})
}

func TestPublishRefusesBadInput(t *testing.T) {
	eachDriver(t, func(t *testing.T, b backend) {
		c := b.newClient(t, fast()...)
		tx := b.begin(t)
		defer tx.rollback()
		for _, ev := range []hookrelay.Event{
			{Type: ""},
			{Type: "a b"},
			{Type: "document.created", ID: "not-a-uuid"},
			{Type: "document.created", Data: json.RawMessage(`{`)},
		} {
			if _, err := tx.publish(t.Context(), c, ev); !errors.Is(err, hookrelay.ErrInvalid) {
				t.Errorf("Publish(%+v) = %v, want ErrInvalid", ev, err)
			}
		}
		// The transaction is still usable after a refused event.
		publish(t, c, tx, hookrelay.Event{Type: "document.created"})

		if _, err := tx.publishNil(t.Context(), c, hookrelay.Event{Type: "document.created"}); err == nil || !strings.Contains(err.Error(), "PublishNow") {
			t.Errorf("Publish without a transaction = %v, want an error pointing to PublishNow", err)
		}
	})
}

func TestPublishNowUsesTheClientsRetryBudget(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		c := b.newClient(t, append(fast(), hookrelay.WithMaxRetries(2))...)
		r := subscribe(t, c)
		r.fail.Store(true)
		if err := c.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		res, err := c.PublishNow(t.Context(), hookrelay.Event{Type: "document.created"})
		if err != nil {
			t.Fatal(err)
		}
		// The known point: the delivery is failed in the store, then the
		// workers stop; no request can start after that.
		testwait.Until(t, "the delivery fails", func() bool {
			return b.count(t, "webhook_deliveries WHERE status = 'failed'") == 1
		})
		stop(t, c)
		if n := r.attemptsOf(res.EventID); n != 3 {
			t.Errorf("%d requests, want 3: the first and WithMaxRetries(2) retries", n)
		}
		if n := b.count(t, "webhook_delivery_attempts"); n != 3 {
			t.Errorf("%d attempts recorded, want 3", n)
		}
	})
}
