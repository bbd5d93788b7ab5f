package delivery

import "github.com/hookrelay/hookrelay/internal/store"

// dispatcher keeps the worker within its limits: at most `total` requests in
// flight, at most `perEndpoint` to any one endpoint. Claimed deliveries over an
// endpoint's cap wait in a short queue of their own (no longer than the cap;
// beyond that they are handed back to the store), so one endpoint that hangs
// until the timeout cannot take the slots of healthy ones. It is used by the
// worker's dispatch loop only, so it needs no lock.
type dispatcher struct {
	total, perEndpoint int
	running            int
	byEndpoint         map[int64]*endpointQueue
}

type endpointQueue struct {
	running int
	waiting []store.Claimed
}

func newDispatcher(total, perEndpoint int) *dispatcher {
	return &dispatcher{total: total, perEndpoint: perEndpoint, byEndpoint: map[int64]*endpointQueue{}}
}

// room is how many more deliveries may be claimed now.
func (d *dispatcher) room() int { return d.total - d.running }

// inFlight is the number of requests running.
func (d *dispatcher) inFlight() int { return d.running }

// saturated lists the endpoints whose cap and queue are full; claims skip them.
func (d *dispatcher) saturated() []int64 {
	var ids []int64
	for id, q := range d.byEndpoint {
		if q.running+len(q.waiting) >= d.perEndpoint {
			ids = append(ids, id)
		}
	}
	return ids
}

// admit sorts claimed deliveries into those to start now, those that wait for
// their endpoint (kept), and the overflow to hand back to the store.
func (d *dispatcher) admit(claimed []store.Claimed) (run, overflow []store.Claimed) {
	for _, c := range claimed {
		q := d.queue(c.Endpoint.ID)
		switch {
		case q.running < d.perEndpoint && d.running < d.total:
			q.running++
			d.running++
			run = append(run, c)
		case len(q.waiting) < d.perEndpoint:
			q.waiting = append(q.waiting, c)
		default:
			overflow = append(overflow, c)
		}
	}
	return run, overflow
}

// finish records the end of a request to webhookID and returns the waiting
// deliveries that may start now, the finished endpoint's own first.
func (d *dispatcher) finish(webhookID int64) []store.Claimed {
	q := d.queue(webhookID)
	q.running--
	d.running--
	run := d.startWaiting(webhookID, q, nil)
	for id, other := range d.byEndpoint {
		if d.running >= d.total {
			break
		}
		run = d.startWaiting(id, other, run)
	}
	return run
}

// startWaiting moves q's waiting deliveries to running while its cap and the
// total allow, appending them to run, and forgets an idle queue.
func (d *dispatcher) startWaiting(webhookID int64, q *endpointQueue, run []store.Claimed) []store.Claimed {
	for len(q.waiting) > 0 && q.running < d.perEndpoint && d.running < d.total {
		run = append(run, q.waiting[0])
		q.waiting = q.waiting[1:]
		q.running++
		d.running++
	}
	if q.running == 0 && len(q.waiting) == 0 {
		delete(d.byEndpoint, webhookID)
	}
	return run
}

// drainWaiting removes and returns every waiting delivery.
func (d *dispatcher) drainWaiting() []store.Claimed {
	var out []store.Claimed
	for id, q := range d.byEndpoint {
		out = append(out, q.waiting...)
		q.waiting = nil
		if q.running == 0 {
			delete(d.byEndpoint, id)
		}
	}
	return out
}

func (d *dispatcher) queue(webhookID int64) *endpointQueue {
	q, ok := d.byEndpoint[webhookID]
	if !ok {
		q = &endpointQueue{}
		d.byEndpoint[webhookID] = q
	}
	return q
}
