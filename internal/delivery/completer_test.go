package delivery

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

// A batch of outcomes that the store refuses because of one of them is
// split until the others are written: one bad outcome never holds back the
// rest of its batch.
func TestCompleterWritesAroundARefusedOutcome(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		t.Parallel()
		s := newStore(t)
		ctx := context.Background()
		_, err := s.CreateEndpoint(ctx, store.Endpoint{URL: "https://receiver.example/hook", Secret: "secret-0123456789abcdef", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		const events = 7
		for range events {
			if _, err := s.Publish(ctx, store.Event{Type: "document.created", Data: json.RawMessage(`{}`)}, store.PublishOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		claimed, err := s.Claim(ctx, store.ClaimRequest{Limit: events, Lease: time.Minute, Worker: "w"})
		if err != nil || len(claimed) != events {
			t.Fatalf("claimed %d, %v", len(claimed), err)
		}
		var batch []store.Outcome
		for i, c := range claimed {
			o := store.Outcome{Lease: c.Lease, Result: store.ResultDelivered, Attempt: store.Attempt{DeliveryID: c.Delivery.ID, Attempt: 1, StartedAt: time.Now()}}
			if i == 3 {
				o.Result = store.Result(99) // no store accepts it
			}
			batch = append(batch, o)
		}
		c := newCompleter(s, store.HealthPolicy{}, slog.New(slog.DiscardHandler), NopObserver{}, 1)
		done := make(chan struct{})
		go func() { c.write(ctx, batch); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("write did not return within 10 s")
		}
		counts, err := s.CountByStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts[store.StatusDelivered] != events-1 || counts[store.StatusProcessing] != 1 {
			t.Fatalf("deliveries %v; want %d delivered and the refused one still processing (its lease will expire)", counts, events-1)
		}
	})
}
