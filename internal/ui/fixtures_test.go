package ui_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

var endpointSeq atomic.Int64

// createEndpoint stores an active endpoint that subscribes to every event,
// changed by mods.
func createEndpoint(t *testing.T, st store.Store, mods ...func(*store.Endpoint)) store.Endpoint {
	t.Helper()
	n := endpointSeq.Add(1)
	e := store.Endpoint{
		Title:            fmt.Sprintf("Receiver %d", n),
		URL:              fmt.Sprintf("http://127.0.0.1:9/hooks/%d", n),
		Secret:           "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0",
		Active:           true,
		SignatureProfile: store.ProfileStandard,
	}
	for _, m := range mods {
		m(&e)
	}
	created, err := st.CreateEndpoint(t.Context(), e)
	if err != nil {
		t.Fatalf("create endpoint: %v", err)
	}
	return created
}

// publish publishes an event of eventType to every subscribed endpoint.
func publish(t *testing.T, st store.Store, eventType string) store.PublishResult {
	t.Helper()
	ev := store.Event{ID: store.NewEventID(), Type: eventType, Data: json.RawMessage(`{"n":1}`)}
	res, err := st.Publish(t.Context(), ev, store.PublishOptions{MaxRetries: 3})
	if err != nil {
		t.Fatalf("publish %s: %v", eventType, err)
	}
	return res
}

// finishAll claims every due delivery and records one attempt answered with
// status: delivered for 2xx, failed for good otherwise.
func finishAll(t *testing.T, st store.Store, status int) {
	t.Helper()
	claimed, err := st.Claim(t.Context(), store.ClaimRequest{Limit: 100, Lease: time.Minute, Worker: "test"})
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	outcomes := make([]store.Outcome, len(claimed))
	for i, c := range claimed {
		result := store.ResultDelivered
		if status >= 300 {
			result = store.ResultFailed
		}
		outcomes[i] = store.Outcome{Lease: c.Lease, Result: result, Attempt: store.Attempt{
			DeliveryID: c.Delivery.ID, Attempt: c.Delivery.RetryCount + 1, StartedAt: time.Now(), DurationMS: 12,
			RequestHeaders:  map[string]string{"X-Event-Id": c.Event.ID},
			ResponseStatus:  &status,
			ResponseHeaders: map[string]string{"Content-Type": "text/plain"},
			ResponseBody:    fmt.Sprintf("answer %d", status),
		}}
	}
	if _, err := st.Complete(t.Context(), outcomes, store.HealthPolicy{}); err != nil {
		t.Fatalf("complete: %v", err)
	}
}

// itoa writes an ID.
func itoa(id int64) string { return strconv.FormatInt(id, 10) }
