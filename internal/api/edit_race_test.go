package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

// TestEditsRacingOutcomesKeepTheHealthRecord renames an endpoint through the
// API, again and again, while the outcomes of its failing deliveries are
// recorded one by one and its health rule disables it half way. Every
// failure must be counted and the endpoint must stay disabled: an edit writes
// only what it changes (issue 12, item 6).
func TestEditsRacingOutcomesKeepTheHealthRecord(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		t.Parallel()
		const deliveries, disableAfter = 60, 20
		ctx := context.Background()
		st := newStore(t)
		s := newServer(t, st, nil)
		ep := s.createEndpoint("http://127.0.0.1:9/failing")
		for range deliveries {
			if _, err := st.Publish(ctx, store.Event{ID: store.NewEventID(), Type: "document.created", Data: []byte(`{}`)},
				store.PublishOptions{MaxRetries: 0, EndpointIDs: []int64{ep.ID}}); err != nil {
				t.Fatal(err)
			}
		}
		claimed, err := st.Claim(ctx, store.ClaimRequest{Limit: deliveries, Lease: time.Hour, Worker: "test"})
		if err != nil || len(claimed) != deliveries {
			t.Fatalf("claimed %d deliveries (%v), want %d", len(claimed), err, deliveries)
		}

		policy := store.HealthPolicy{DisableAfterFailures: disableAfter}
		started, done := make(chan struct{}), make(chan error, 1)
		go func() {
			select {
			case <-started:
			case <-t.Context().Done(): // the first edit failed
				return
			}
			for _, c := range claimed {
				if _, err := st.Complete(ctx, []store.Outcome{outcomeOf(c, store.ResultFailed)}, policy); err != nil {
					done <- fmt.Errorf("complete delivery %d: %w", c.Delivery.ID, err)
					return
				}
			}
			done <- nil
		}()
		deadline := time.After(30 * time.Second)
		path := fmt.Sprintf("/v1/webhooks/%d", ep.ID)
		for i := 0; ; i++ {
			s.call("PATCH", path, wire.EndpointUpdate{Title: new(fmt.Sprintf("edit %d", i))}, http.StatusOK, nil)
			if i == 0 {
				close(started)
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%d edits raced %d outcomes", i+1, deliveries)
				got, err := st.GetEndpoint(ctx, ep.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.FailureCount != deliveries {
					t.Errorf("failure_count = %d, want %d: edits lost outcomes", got.FailureCount, deliveries)
				}
				if got.Active || got.DisabledReason != policy.FailuresReason() || got.DisabledAt == nil || got.FailingSince == nil {
					t.Errorf("endpoint active %v, reason %q, disabled_at %v, failing_since %v; want it disabled by its health",
						got.Active, got.DisabledReason, got.DisabledAt, got.FailingSince)
				}
				if got.Title == ep.Title {
					t.Errorf("title %q: the edits were lost", got.Title)
				}
				return
			case <-deadline:
				t.Fatalf("the outcomes were not all recorded within 30 s (%d edits)", i+1)
			default:
			}
		}
	})
}
