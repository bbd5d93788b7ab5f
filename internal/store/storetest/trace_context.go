package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// A valid W3C trace context (https://www.w3.org/TR/trace-context/) that
// the tests publish with.
const (
	testTraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	testTraceState  = "vendor=abc,other=x"
)

func withTraceContext(parent, state string) func(*publication) {
	return func(p *publication) { p.ev.TraceParent, p.ev.TraceState = parent, state }
}

var traceContextTests = []test{
	{"PublishKeepsTheTraceContextForEveryAttempt", func(t *testing.T, f *fixture) {
		f.endpoint()
		res := f.publish("document.created", withTraceContext(testTraceParent, testTraceState))
		if res.Event.TraceParent != testTraceParent || res.Event.TraceState != testTraceState {
			t.Errorf("published event %+v: want its trace context", res.Event)
		}
		// The first claim and a retry's both hand out the context.
		c := f.claimOne()
		if c.Event.TraceParent != testTraceParent || c.Event.TraceState != testTraceState {
			t.Errorf("claimed delivery's event %+v: want the publisher's trace context", c.Event)
		}
		f.complete(store.HealthPolicy{}, store.Outcome{Lease: c.Lease, Result: store.ResultRetry, RetryAt: time.Now().Add(-time.Second),
			Attempt: store.Attempt{DeliveryID: c.Delivery.ID, Attempt: 1, StartedAt: time.Now()}})
		again := f.claimOne()
		if again.Event.TraceParent != testTraceParent || again.Event.TraceState != testTraceState {
			t.Errorf("retried delivery's event %+v: want the publisher's trace context", again.Event)
		}
		f.checkTraceContext(res.Event.ID, testTraceParent, testTraceState)
	}},
	{"PublishDropsAnInvalidTraceContext", func(t *testing.T, f *fixture) {
		tooLong := "a=" + strings.Repeat("b", store.MaxTraceStateLength)
		tooMany := strings.Repeat("a=b,", store.MaxTraceStateMembers) + "a=b"
		for _, tc := range []struct{ parent, state, wantParent, wantState string }{
			{"", "a=b", "", ""},
			{"00-00000000000000000000000000000000-00f067aa0ba902b7-01", "a=b", "", ""},
			{"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "", "", ""},
			{"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "", "", ""},
			{"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "", "", ""},
			{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", "", "", ""},
			{testTraceParent, tooLong, testTraceParent, ""},
			{testTraceParent, tooMany, testTraceParent, ""},
			{testTraceParent, "a=b\n", testTraceParent, ""},
		} {
			res := f.publish("document.created", withTraceContext(tc.parent, tc.state))
			f.checkTraceContext(res.Event.ID, tc.wantParent, tc.wantState)
		}
	}},
	{"PublishManyKeepsEachTraceContext", func(t *testing.T, f *fixture) {
		f.endpoint()
		other := "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"
		results, err := f.s.PublishMany(f.ctx, []store.Publication{
			{Event: store.Event{Type: "a.b", TraceParent: testTraceParent, TraceState: testTraceState}},
			{Event: store.Event{Type: "a.b", TraceParent: other}},
			{Event: store.Event{Type: "a.b"}},
		})
		if err != nil {
			t.Fatalf("publish many: %v", err)
		}
		f.checkTraceContext(results[0].Event.ID, testTraceParent, testTraceState)
		f.checkTraceContext(results[1].Event.ID, other, "")
		f.checkTraceContext(results[2].Event.ID, "", "")
	}},
}

// checkTraceContext checks the trace context of event id as GetEvent reads
// it and as Claim hands it out with its deliveries (which it leaves
// claimed).
func (f *fixture) checkTraceContext(id, parent, state string) {
	f.t.Helper()
	ev, err := f.s.GetEvent(f.ctx, id)
	if err != nil {
		f.t.Fatalf("get event %s: %v", id, err)
	}
	if ev.TraceParent != parent || ev.TraceState != state {
		f.t.Errorf("event's trace context %q %q, want %q %q", ev.TraceParent, ev.TraceState, parent, state)
	}
	for _, c := range f.claim(100) {
		if c.Event.ID == id && (c.Event.TraceParent != parent || c.Event.TraceState != state) {
			f.t.Errorf("claimed event's trace context %q %q, want %q %q", c.Event.TraceParent, c.Event.TraceState, parent, state)
		}
	}
}

// RowsBeforeTraceContext are the rows that the tests of both stores put in
// a database of the release before trace contexts (one endpoint, one
// event, its queued delivery), in SQL that both stores run, before
// TraceContextAfterMigration checks them.
const RowsBeforeTraceContext = RowsBeforeOrderingKeys

// TraceContextAfterMigration checks s, a store just migrated from a release
// before trace contexts with RowsBeforeTraceContext in it: the event and
// its delivery are kept, without a trace context, and an event published
// afterwards keeps its own.
func TraceContextAfterMigration(t *testing.T, s store.Store) {
	t.Helper()
	f := newFixture(t, s)
	const old = "11111111-2222-4333-8444-555555555555"
	claimed := f.claim(10)
	if len(claimed) != 1 || claimed[0].Event.ID != old || claimed[0].Event.TraceParent != "" || claimed[0].Event.Type != "document.created" {
		t.Fatalf("claimed %+v, want the old delivery without a trace context", claimed)
	}
	res := f.publish("document.created", withTraceContext(testTraceParent, testTraceState))
	f.checkTraceContext(res.Event.ID, testTraceParent, testTraceState)
}
