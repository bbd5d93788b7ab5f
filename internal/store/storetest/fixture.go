package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

// fixture is one test's store with helpers that make rows and check them.
type fixture struct {
	t     *testing.T
	s     store.Store
	ctx   context.Context
	start time.Time
}

func newFixture(t *testing.T, s store.Store) *fixture {
	return &fixture{t: t, s: s, ctx: t.Context(), start: time.Now()}
}

// clockSlack is how far a time written by the database may sit outside the
// test's own clock readings.
const clockSlack = 2 * time.Second

var endpointSeq atomic.Int64

// endpoint creates an active endpoint that subscribes to every event, changed
// by mods.
func (f *fixture) endpoint(mods ...func(*store.Endpoint)) store.Endpoint {
	f.t.Helper()
	e := store.Endpoint{
		Title:            "receiver",
		URL:              fmt.Sprintf("https://receiver-%d.example/hook", endpointSeq.Add(1)),
		Secret:           "secret-0123456789abcdef",
		Active:           true,
		SignatureProfile: store.ProfileStandard,
	}
	for _, m := range mods {
		m(&e)
	}
	created, err := f.s.CreateEndpoint(f.ctx, e)
	if err != nil {
		f.t.Fatalf("create endpoint: %v", err)
	}
	return created
}

func subscribedTo(events ...string) func(*store.Endpoint) {
	return func(e *store.Endpoint) { e.Events = events }
}

func inactive(e *store.Endpoint) { e.Active = false }

func endpointRetries(n int) func(*store.Endpoint) {
	return func(e *store.Endpoint) { e.MaxRetries = &n }
}

// publication is what publish sends: an event and its options.
type publication struct {
	ev   store.Event
	opts store.PublishOptions
}

// publish publishes a new event of eventType with data {"n":1} and a retry
// budget of 3, changed by mods, and fails the test on error.
func (f *fixture) publish(eventType string, mods ...func(*publication)) store.PublishResult {
	f.t.Helper()
	p := publication{
		ev:   store.Event{ID: store.NewEventID(), Type: eventType, Data: json.RawMessage(`{"n":1}`)},
		opts: store.PublishOptions{MaxRetries: 3},
	}
	for _, m := range mods {
		m(&p)
	}
	res, err := f.s.Publish(f.ctx, p.ev, p.opts)
	if err != nil {
		f.t.Fatalf("publish %s: %v", eventType, err)
	}
	return res
}

func withPriority(n int) func(*publication) { return func(p *publication) { p.ev.Priority = n } }

func withRetries(n int) func(*publication) { return func(p *publication) { p.opts.MaxRetries = n } }

func toEndpoints(ids ...int64) func(*publication) {
	return func(p *publication) { p.opts.EndpointIDs = ids }
}

// claim claims up to limit deliveries as worker-1 with a one-minute lease,
// changed by mods.
func (f *fixture) claim(limit int, mods ...func(*store.ClaimRequest)) []store.Claimed {
	f.t.Helper()
	req := store.ClaimRequest{Limit: limit, Lease: time.Minute, Worker: "worker-1"}
	for _, m := range mods {
		m(&req)
	}
	claimed, err := f.s.Claim(f.ctx, req)
	if err != nil {
		f.t.Fatalf("claim: %v", err)
	}
	return claimed
}

// claimOne claims exactly one delivery.
func (f *fixture) claimOne(mods ...func(*store.ClaimRequest)) store.Claimed {
	f.t.Helper()
	claimed := f.claim(10, mods...)
	if len(claimed) != 1 {
		f.t.Fatalf("claimed %d deliveries, want 1", len(claimed))
	}
	return claimed[0]
}

// claimNew publishes n document.created events and claims their deliveries,
// which must be n: the store holds one endpoint that takes them all.
func (f *fixture) claimNew(n int) []store.Claimed {
	f.t.Helper()
	for range n {
		f.publish("document.created")
	}
	claimed := f.claim(n + 1)
	if len(claimed) != n {
		f.t.Fatalf("claimed %d deliveries, want %d", len(claimed), n)
	}
	return claimed
}

func asWorker(name string) func(*store.ClaimRequest) {
	return func(r *store.ClaimRequest) { r.Worker = name }
}

func leaseFor(d time.Duration) func(*store.ClaimRequest) {
	return func(r *store.ClaimRequest) { r.Lease = d }
}

// claimedIDs lists the delivery IDs of claimed.
func claimedIDs(claimed []store.Claimed) []int64 {
	ids := make([]int64, len(claimed))
	for i, c := range claimed {
		ids[i] = c.Delivery.ID
	}
	return ids
}

// delivery reads one delivery.
func (f *fixture) delivery(id int64) store.Delivery {
	f.t.Helper()
	d, err := f.s.GetDelivery(f.ctx, id)
	if err != nil {
		f.t.Fatalf("get delivery %d: %v", id, err)
	}
	return d
}

// deliveriesOf lists the deliveries of one event, newest first.
func (f *fixture) deliveriesOf(eventID string) []store.Delivery {
	f.t.Helper()
	return f.list(store.DeliveryFilter{EventID: eventID})
}

// list lists deliveries.
func (f *fixture) list(filter store.DeliveryFilter) []store.Delivery {
	f.t.Helper()
	ds, err := f.s.ListDeliveries(f.ctx, filter)
	if err != nil {
		f.t.Fatalf("list deliveries %+v: %v", filter, err)
	}
	return ds
}

// getEndpoint reads one endpoint.
func (f *fixture) getEndpoint(id int64) store.Endpoint {
	f.t.Helper()
	e, err := f.s.GetEndpoint(f.ctx, id)
	if err != nil {
		f.t.Fatalf("get endpoint %d: %v", id, err)
	}
	return e
}

// complete records outcomes under health and fails the test on error.
func (f *fixture) complete(health store.HealthPolicy, outcomes ...store.Outcome) store.CompleteResult {
	f.t.Helper()
	res, err := f.s.Complete(f.ctx, outcomes, health)
	if err != nil {
		f.t.Fatalf("complete: %v", err)
	}
	return res
}

// failDue claims the due deliveries (up to 100) and records each as failed
// under health, in one batch.
func (f *fixture) failDue(health store.HealthPolicy) store.CompleteResult {
	f.t.Helper()
	var outcomes []store.Outcome
	for _, c := range f.claim(100) {
		outcomes = append(outcomes, failed(c))
	}
	return f.complete(health, outcomes...)
}

// attemptOf is an attempt of c as a worker records it: whole-second start,
// request headers, and the given status (nil for a network error) and error.
func attemptOf(c store.Claimed, status int, errText string) store.Attempt {
	a := store.Attempt{
		DeliveryID:     c.Delivery.ID,
		Attempt:        c.Delivery.RetryCount + 1,
		StartedAt:      time.Now().UTC().Truncate(time.Second),
		DurationMS:     42,
		RequestHeaders: map[string]string{"X-Event-Id": c.Event.ID},
		Error:          errText,
	}
	if status != 0 {
		a.ResponseStatus = &status
		a.ResponseHeaders = map[string]string{"Content-Type": "text/plain"}
		a.ResponseBody = fmt.Sprintf("status %d", status)
	}
	return a
}

func delivered(c store.Claimed) store.Outcome {
	return store.Outcome{Lease: c.Lease, Result: store.ResultDelivered, Attempt: attemptOf(c, 200, "")}
}

func retryAt(c store.Claimed, at time.Time) store.Outcome {
	return store.Outcome{Lease: c.Lease, Result: store.ResultRetry, RetryAt: at, Attempt: attemptOf(c, 503, "HTTP 503")}
}

func failed(c store.Claimed) store.Outcome {
	return store.Outcome{Lease: c.Lease, Result: store.ResultFailed, Attempt: attemptOf(c, 400, "HTTP 400")}
}

// wholeSecond is now plus d, in UTC, truncated to the second: a time that
// every store reads back exactly.
func wholeSecond(d time.Duration) time.Time {
	return time.Now().Add(d).UTC().Truncate(time.Second)
}

// sameInstant checks that got is in UTC and within a millisecond of want.
func sameInstant(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if got.Location() != time.UTC {
		t.Errorf("%s: %v is not in UTC", what, got)
	}
	if diff := got.Sub(want).Abs(); diff > time.Millisecond {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// recent checks that got is in UTC and was set by the store during the test.
func (f *fixture) recent(what string, got time.Time) {
	f.t.Helper()
	if got.Location() != time.UTC {
		f.t.Errorf("%s: %v is not in UTC", what, got)
	}
	if got.Before(f.start.Add(-clockSlack)) || got.After(time.Now().Add(clockSlack)) {
		f.t.Errorf("%s = %v, want a time during the test (started %v)", what, got, f.start.UTC())
	}
}

// recentPtr checks that got is set, and recent.
func (f *fixture) recentPtr(what string, got *time.Time) {
	f.t.Helper()
	if got == nil {
		f.t.Errorf("%s is nil, want a time during the test", what)
		return
	}
	f.recent(what, *got)
}

// unset checks that got is nil.
func unset(t *testing.T, what string, got *time.Time) {
	t.Helper()
	if got != nil {
		t.Errorf("%s = %v, want nil", what, *got)
	}
}

// sameJSON checks that got and want are the same JSON value.
func sameJSON(t *testing.T, what string, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Errorf("%s: %q is not JSON: %v", what, got, err)
		return
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: want %q is not JSON: %v", what, want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s = %s, want %s", what, bytes.TrimSpace(got), want)
	}
}

// wantErr checks that err wraps target.
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error %v, want %v", what, err, target)
	}
}

// Eventually polls cond every few milliseconds until it holds, failing t
// after testwait.Timeout: the way to wait in store tests, without fixed
// sleeps.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	testwait.Until(t, what, cond)
}

// MigrateNew migrates s, a store on a database that hookrelay has not
// migrated yet, checking that MigrationsCurrent is false before and true
// after.
func MigrateNew(t testing.TB, s store.Store) {
	t.Helper()
	if current, err := s.MigrationsCurrent(t.Context()); err != nil || current {
		t.Fatalf("MigrationsCurrent before Migrate = %v, %v; want false", current, err)
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if current, err := s.MigrationsCurrent(t.Context()); err != nil || !current {
		t.Fatalf("MigrationsCurrent after Migrate = %v, %v; want true", current, err)
	}
}

// expire polls RescueExpired until it takes back a delivery, one claimed
// with a tiny lease.
func (f *fixture) expire() {
	f.t.Helper()
	Eventually(f.t, "rescue an expired lease", func() bool {
		n, err := f.s.RescueExpired(f.ctx, 0)
		if err != nil {
			f.t.Fatalf("rescue expired: %v", err)
		}
		return n > 0
	})
}

// deliveryIn publishes an event of eventType to ep alone and takes its
// delivery to status, through the store's own transitions. Deliveries it
// leaves pending have priority 0; the others are claimed at a higher one, so
// that pending deliveries made earlier are not claimed instead.
func (f *fixture) deliveryIn(ep store.Endpoint, eventType string, status store.Status) store.Delivery {
	f.t.Helper()
	if status == store.StatusPending {
		return f.deliveriesOf(f.publish(eventType, toEndpoints(ep.ID)).Event.ID)[0]
	}
	f.publish(eventType, toEndpoints(ep.ID), withPriority(1000))
	claimed := f.claim(1)
	if len(claimed) != 1 || claimed[0].Delivery.EndpointID != ep.ID {
		f.t.Fatalf("claimed %v, want the delivery just published", claimedIDs(claimed))
	}
	c := claimed[0]
	switch status {
	case store.StatusDelivered:
		f.complete(store.HealthPolicy{}, delivered(c))
	case store.StatusFailed:
		f.complete(store.HealthPolicy{}, failed(c))
	case store.StatusCancelled:
		if _, err := f.s.CancelDelivery(f.ctx, c.Delivery.ID); err != nil {
			f.t.Fatalf("cancel: %v", err)
		}
	}
	return f.delivery(c.Delivery.ID)
}
