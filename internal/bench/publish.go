package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/client"
	"github.com/hookrelay/hookrelay/internal/store"
)

// publisher publishes events (one or a batch) and checks that each created
// the deliveries it should.
type publisher func(ctx context.Context, events []store.Event) error

// publishPlan says how a scenario publishes: events in groups of perCall
// (1, or the batch size of the batch route), from workers goroutines, at
// rate events per second or as fast as possible (0). Goroutine i publishes
// with publishers[i % len(publishers)]. With keys above 0, event n has the
// ordering key "key-<n mod keys>".
type publishPlan struct {
	events      int
	perCall     int
	rate        int
	workers     int
	payloadSize int
	keys        int
	publishers  []publisher
}

// publishAll publishes the plan's events, telling published when each
// publish starts (with the IDs of its events), and returns when every call
// has returned.
func publishAll(ctx context.Context, published func(ids ...string), plan publishPlan) error {
	pad := strings.Repeat("x", max(plan.payloadSize-64, 0))
	perCall := max(plan.perCall, 1)
	calls := (plan.events + perCall - 1) / perCall
	var interval time.Duration
	if plan.rate > 0 {
		interval = time.Second * time.Duration(perCall) / time.Duration(plan.rate)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	begin := time.Now()
	var wg sync.WaitGroup
	for g := range max(plan.workers, 1) {
		publish := plan.publishers[g%len(plan.publishers)]
		wg.Go(func() {
			for {
				call := int(next.Add(1) - 1)
				if call >= calls || ctx.Err() != nil {
					return
				}
				if interval > 0 {
					if wait := time.Until(begin.Add(time.Duration(call) * interval)); wait > 0 {
						select {
						case <-time.After(wait):
						case <-ctx.Done():
							return
						}
					}
				}
				first := call * perCall
				batch := make([]store.Event, min(perCall, plan.events-first))
				ids := make([]string, len(batch))
				for i := range batch {
					data, _ := json.Marshal(map[string]any{"seq": first + i, "pad": pad})
					batch[i] = store.Event{ID: store.NewEventID(), Type: "bench.event", Data: data}
					if plan.keys > 0 {
						batch[i].OrderingKey = fmt.Sprintf("key-%d", (first+i)%plan.keys)
					}
					ids[i] = batch[i].ID
				}
				published(ids...)
				if err := publish(ctx, batch); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return nil
}

// storePublisher publishes in this process, straight into the store, as
// the Go library does.
func storePublisher(st store.Store, maxRetries, wantDeliveries int) publisher {
	return func(ctx context.Context, events []store.Event) error {
		for _, ev := range events {
			res, err := st.Publish(ctx, ev, store.PublishOptions{MaxRetries: maxRetries})
			if err != nil {
				return fmt.Errorf("publish: %w", err)
			}
			if res.Deliveries != wantDeliveries {
				return fmt.Errorf("publish created %d deliveries, want %d", res.Deliveries, wantDeliveries)
			}
		}
		return nil
	}
}

// apiPublisher publishes through POST /v1/events, one event per request.
func apiPublisher(c *client.Client, wantDeliveries int) publisher {
	return func(ctx context.Context, events []store.Event) error {
		for _, ev := range events {
			res, err := c.PublishEvent(ctx, wire.PublishRequest{ID: ev.ID, Type: ev.Type, Data: ev.Data, OrderingKey: ev.OrderingKey})
			if err != nil {
				return fmt.Errorf("POST /v1/events: %w", err)
			}
			if res.Deliveries != wantDeliveries {
				return fmt.Errorf("POST /v1/events created %d deliveries, want %d", res.Deliveries, wantDeliveries)
			}
		}
		return nil
	}
}

// batchRequest is the body of POST /v1/events/batch: events with the fields
// of POST /v1/events.
type batchRequest struct {
	Events []wire.PublishRequest `json:"events"`
}

// batchAnswer is the answer of POST /v1/events/batch: one result per event,
// in order, each either what the publish did or its error.
type batchAnswer struct {
	Results []struct {
		EventID    string          `json:"event_id"`
		Created    bool            `json:"created"`
		Deliveries int             `json:"deliveries"`
		Error      json.RawMessage `json:"error"`
	} `json:"results"`
}

// apiBatchPublisher publishes through POST /v1/events/batch, all the events
// of a call in one request.
func apiBatchPublisher(httpClient *http.Client, baseURL, token string, wantDeliveries int) publisher {
	return func(ctx context.Context, events []store.Event) error {
		body := batchRequest{Events: make([]wire.PublishRequest, len(events))}
		for i, ev := range events {
			body.Events[i] = wire.PublishRequest{ID: ev.ID, Type: ev.Type, Data: ev.Data, OrderingKey: ev.OrderingKey}
		}
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/v1/events/batch", bytes.NewReader(b))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := httpClient.Do(req)
		if err != nil {
			return fmt.Errorf("POST /v1/events/batch: %w", err)
		}
		defer resp.Body.Close()
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed {
			return fmt.Errorf("POST /v1/events/batch: %s: this hookrelay has no batch route", resp.Status)
		}
		if resp.StatusCode >= 300 {
			text, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
			return fmt.Errorf("POST /v1/events/batch: %s: %s", resp.Status, bytes.TrimSpace(text))
		}
		var answer batchAnswer
		if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
			return fmt.Errorf("POST /v1/events/batch: decode answer: %w", err)
		}
		if len(answer.Results) != len(events) {
			return fmt.Errorf("POST /v1/events/batch: %d results for %d events", len(answer.Results), len(events))
		}
		for i, r := range answer.Results {
			switch {
			case len(r.Error) > 0 && string(r.Error) != "null":
				return fmt.Errorf("POST /v1/events/batch: event %d: %s", i, r.Error)
			case r.EventID != events[i].ID:
				return fmt.Errorf("POST /v1/events/batch: result %d is event %q, want %q", i, r.EventID, events[i].ID)
			case r.Deliveries != wantDeliveries:
				return fmt.Errorf("POST /v1/events/batch: event %d created %d deliveries, want %d", i, r.Deliveries, wantDeliveries)
			}
		}
		return nil
	}
}
