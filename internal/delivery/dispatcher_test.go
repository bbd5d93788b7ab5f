package delivery

import (
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
)

func claimedFor(webhookIDs ...int64) []store.Claimed {
	out := make([]store.Claimed, len(webhookIDs))
	for i, id := range webhookIDs {
		out[i] = store.Claimed{Endpoint: store.Endpoint{ID: id}, Delivery: store.Delivery{ID: int64(i + 1), WebhookID: id}}
	}
	return out
}

func TestDispatcherCapsOneEndpoint(t *testing.T) {
	d := newDispatcher(10, 2)
	run, overflow := d.admit(claimedFor(1, 1, 1, 1, 1, 2))
	if len(run) != 3 || len(overflow) != 1 {
		t.Fatalf("run %d, overflow %d; want 3 (two to endpoint 1, one to 2) and 1", len(run), len(overflow))
	}
	if got := d.saturated(); len(got) != 1 || got[0] != 1 {
		t.Fatalf("saturated = %v, want [1]", got)
	}
	if d.room() != 7 {
		t.Fatalf("room = %d, want 7", d.room())
	}
	next := d.finish(1)
	if len(next) != 1 || next[0].Endpoint.ID != 1 {
		t.Fatalf("finish(1) started %v, want one waiting delivery of endpoint 1", next)
	}
	if waiting := d.drainWaiting(); len(waiting) != 1 {
		t.Fatalf("drainWaiting = %d, want 1", len(waiting))
	}
}

func TestDispatcherStartsOtherEndpointsWhenTotalFrees(t *testing.T) {
	d := newDispatcher(2, 2)
	run, _ := d.admit(claimedFor(1, 1, 2))
	if len(run) != 2 {
		t.Fatalf("run %d, want 2", len(run))
	}
	next := d.finish(1)
	if len(next) != 1 || next[0].Endpoint.ID != 2 {
		t.Fatalf("finish(1) started %v, want endpoint 2's waiting delivery", next)
	}
	d.finish(1)
	d.finish(2)
	if d.inFlight() != 0 || len(d.byEndpoint) != 0 {
		t.Fatalf("in flight %d, queues %d; want all idle", d.inFlight(), len(d.byEndpoint))
	}
}
