package delivery

import (
	"maps"
	"sync"
)

// Limits publishes the in-flight limit that a worker applies to each
// endpoint it is sending to, for the metrics and the dashboard. The worker
// writes it (Options.Limits) when a limit changes, removes an endpoint it
// forgets (idle for 10 minutes) and clears it when it stops; readers see
// this process's limits only. It is safe for concurrent use; a nil *Limits
// holds nothing and ignores writes.
type Limits struct {
	ceiling  int
	adaptive bool

	mu     sync.Mutex
	limits map[int64]int
}

// NewLimits returns an empty Limits for workers whose limits go up to
// ceiling (Options.EndpointInFlight) and adapt unless adaptive is false
// (Options.FixedLimits).
func NewLimits(ceiling int, adaptive bool) *Limits {
	return &Limits{ceiling: ceiling, adaptive: adaptive, limits: map[int64]int{}}
}

// Limit returns the limit applied to endpointID now; ok is false when the
// worker holds none: it has not sent to it in the last 10 minutes, or is not
// running.
func (l *Limits) Limit(endpointID int64) (limit int, ok bool) {
	if l == nil {
		return 0, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	limit, ok = l.limits[endpointID]
	return limit, ok
}

// Ceiling returns the highest limit, and whether limits adapt below it.
func (l *Limits) Ceiling() (ceiling int, adaptive bool) {
	if l == nil {
		return 0, false
	}
	return l.ceiling, l.adaptive
}

// All returns a copy of every endpoint's limit, by endpoint ID.
func (l *Limits) All() map[int64]int {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.limits)
}

func (l *Limits) set(endpointID int64, limit int) {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.limits[endpointID] = limit
	l.mu.Unlock()
}

func (l *Limits) forget(endpointID int64) {
	if l == nil {
		return
	}
	l.mu.Lock()
	delete(l.limits, endpointID)
	l.mu.Unlock()
}

func (l *Limits) clear() {
	if l == nil {
		return
	}
	l.mu.Lock()
	clear(l.limits)
	l.mu.Unlock()
}
