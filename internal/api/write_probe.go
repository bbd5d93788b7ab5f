package api

import (
	"context"
	"sync"
	"time"
)

// How long /readyz trusts the last write probe: at most one probe write per
// writeProbeEvery, however often the route is polled; a failed probe is
// tried again sooner, so that readiness returns soon after the database
// does.
const (
	writeProbeEvery       = 5 * time.Second
	failedWriteProbeEvery = time.Second
)

// writeProbe runs the store's CheckWritable for /readyz and remembers its
// result for writeProbeEvery, so that readiness follows a database that
// stops taking writes (read-only, full) without a write on every poll.
type writeProbe struct {
	check func(context.Context) error

	mu      sync.Mutex
	checked time.Time // zero: probe at the next call
	err     error
}

// result returns the last result, probing again when it is older than
// writeProbeEvery (failedWriteProbeEvery after a failure) or was forgotten.
func (p *writeProbe) result(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	every := writeProbeEvery
	if p.err != nil {
		every = failedWriteProbeEvery
	}
	if !p.checked.IsZero() && time.Since(p.checked) < every {
		return p.err
	}
	p.err = p.check(ctx)
	p.checked = time.Now()
	return p.err
}

// forget drops the last result, so that the next /readyz probes: a request
// has just found the database unable to take it.
func (p *writeProbe) forget() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.checked = time.Time{}
}
