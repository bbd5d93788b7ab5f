// Package maintenance keeps a store's queue healthy beside the delivery
// workers: it rescues deliveries whose lease expired (their worker died) and
// deletes finished deliveries past the retention period, in batches (see
// store.Store.DeleteFinishedBefore), and customer-portal links a day after
// they expired (ExpiredPortalKeep).
//
// It runs on a goroutine of its own, never on a worker's dispatch loop, so
// that a slow statement delays no claim. Among every process sharing a store
// one at a time maintains it (store.Store.TryMaintain): on PostgreSQL the one
// that holds a session advisory lock on a dedicated connection
// (postgres.MaintainerLockKey), on SQLite the one that holds a lease row
// renewed every Term/3. The others try again every RetryInterval, so that
// when the maintainer stops or dies another takes over: on PostgreSQL within
// RetryInterval of its connection's end, on SQLite within RetryInterval of
// its release or Term + RetryInterval of its death.
//
// A maintainer that is alive but stuck (stopped with SIGSTOP, or waiting on
// a long statement) keeps its PostgreSQL lock, as its session lives. So the
// processes that are not the maintainer rescue too, but only leases that
// expired more than StuckGrace ago (by default the longer of the lease and
// three rescue intervals: a maintainer that works rescues a lease within one
// RescueInterval of its expiry, so such a lease means it missed three
// rounds), every StuckRescueInterval (by default StuckGrace). Rescue is
// idempotent (rows are taken with SKIP LOCKED and matched by the database's
// clock), so a delivery is never rescued twice. The maintainer's retention
// deletes run on a goroutine of their own, so that a long delete never
// delays a rescue.
//
// The maintainer also probes the endpoints that their health rules disabled
// (store.ProbeState), when Options.Probe is set: on a goroutine of its own,
// every ProbeCheckInterval, it sends Probe to each endpoint whose next probe
// is due, a few at a time; a 2xx re-enables the endpoint and recovers its
// deliveries (store.Recoverer.ProbeSucceeded), anything else schedules the
// next probe ProbeInterval doubled per failed probe later, at most
// ProbeIntervalCap. Since only the maintainer probes, one process per
// database does.
package maintenance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hookrelay/hookrelay/internal/repeat"
	"github.com/hookrelay/hookrelay/internal/store"
)

// Defaults of Options.
const (
	// DefaultRetentionInterval is how often old deliveries are deleted.
	DefaultRetentionInterval = time.Hour
	// DefaultRetryInterval is how often a process that is not the
	// maintainer tries to become it.
	DefaultRetryInterval = 10 * time.Second
	// DefaultTerm is the maintainership's lease (store.Store.TryMaintain's ttl).
	DefaultTerm = 30 * time.Second
	// maxRescueInterval caps the default RescueInterval.
	maxRescueInterval = 30 * time.Second
	// minRescueInterval floors the default RescueInterval.
	minRescueInterval = 100 * time.Millisecond
)

// Options configure a Maintainer. Zero values take the defaults.
type Options struct {
	// Name identifies this process as the maintainer in logs (and in
	// SQLite's lease row); default host-pid. The library and serve give
	// their worker's name.
	Name string
	// Lease is how long the workers' claims last; the default RescueInterval
	// is derived from it.
	Lease time.Duration
	// RescueInterval is how often expired leases are looked for; default
	// Lease/2 within 100ms and 30s.
	RescueInterval time.Duration
	// Retention deletes finished deliveries older than this; zero or
	// negative keeps them forever.
	Retention time.Duration
	// RetentionInterval is how often old deliveries are deleted, first at
	// once on becoming the maintainer; default DefaultRetentionInterval.
	RetentionInterval time.Duration
	// RetryInterval is how often a process that is not the maintainer tries
	// to become it; default DefaultRetryInterval.
	RetryInterval time.Duration
	// Term is the maintainership's lease (see store.Store.TryMaintain);
	// default DefaultTerm.
	Term time.Duration
	// StuckGrace is how long past its expiry a lease must be before a
	// process that is not the maintainer rescues it (the maintainer may be
	// stuck); default the longer of Lease and 3 × RescueInterval.
	StuckGrace time.Duration
	// StuckRescueInterval is how often a process that is not the maintainer
	// rescues leases expired more than StuckGrace ago; default StuckGrace.
	StuckRescueInterval time.Duration
	// Probe, when set, sends a signed probe to an endpoint and reports
	// whether it answered 2xx (see the package documentation). Nil: no
	// probing.
	Probe func(ctx context.Context, e store.Endpoint) bool
	// ProbeInterval is the wait after an endpoint's first failed probe
	// (doubled after each next one), at most ProbeIntervalCap; it must be
	// positive with Probe.
	ProbeInterval, ProbeIntervalCap time.Duration
	// ProbeCheckInterval is how often due probes are looked for; default
	// ProbeInterval/2 within 10ms and 5s.
	ProbeCheckInterval time.Duration
	// RecoveryWindow is the window of the recovery that a probe's 2xx
	// starts (store.Recoverer.ProbeSucceeded); 0: none.
	RecoveryWindow time.Duration
	// Logger receives what maintenance did and its troubles.
	Logger *slog.Logger
}

// Probing bounds: a round sends at most probeBatch probes, probeParallel at
// a time, so that endpoints that time out delay the others by little.
const (
	probeBatch    = 100
	probeParallel = 8
)

func (o Options) withDefaults() Options {
	if o.Name == "" {
		o.Name = processName()
	}
	if o.RescueInterval <= 0 {
		o.RescueInterval = min(max(o.Lease/2, minRescueInterval), maxRescueInterval)
	}
	if o.RetentionInterval <= 0 {
		o.RetentionInterval = DefaultRetentionInterval
	}
	if o.RetryInterval <= 0 {
		o.RetryInterval = DefaultRetryInterval
	}
	if o.Term <= 0 {
		o.Term = DefaultTerm
	}
	if o.StuckGrace <= 0 {
		o.StuckGrace = max(o.Lease, 3*o.RescueInterval)
	}
	if o.StuckRescueInterval <= 0 {
		o.StuckRescueInterval = o.StuckGrace
	}
	if o.ProbeCheckInterval <= 0 {
		o.ProbeCheckInterval = min(max(o.ProbeInterval/2, 10*time.Millisecond), 5*time.Second)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

func processName() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}

// Maintainer maintains a store while it is its maintainer (see the package
// documentation).
type Maintainer struct {
	store       store.Store
	opts        Options
	maintaining atomic.Bool
}

// New returns a maintainer of s.
func New(s store.Store, opts Options) *Maintainer {
	return &Maintainer{store: s, opts: opts.withDefaults()}
}

// Name returns the name under which the maintainer works.
func (m *Maintainer) Name() string { return m.opts.Name }

// Maintaining reports whether this maintainer holds the maintainership now.
func (m *Maintainer) Maintaining() bool { return m.maintaining.Load() }

// Run tries to become the store's maintainer, maintains it while it is, and
// tries again when it stops being it, until ctx ends; it then releases the
// maintainership and returns nil. While another process maintains, it
// rescues the leases that expired more than StuckGrace ago every
// StuckRescueInterval.
func (m *Maintainer) Run(ctx context.Context) error {
	o := m.opts
	retry := time.NewTimer(0)
	defer retry.Stop()
	stuck := time.NewTicker(o.StuckRescueInterval)
	defer stuck.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-stuck.C:
			m.rescue(ctx, o.StuckGrace)
			continue
		case <-retry.C:
		}
		held, ok, err := m.store.TryMaintain(ctx, o.Name, o.Term)
		switch {
		case err != nil:
			if ctx.Err() == nil {
				o.Logger.LogAttrs(ctx, slog.LevelError, "try to become the maintainer failed", slog.String("error", err.Error()))
			}
		case ok:
			o.Logger.LogAttrs(ctx, slog.LevelInfo, "maintaining the store", slog.String("maintainer", o.Name))
			m.maintaining.Store(true)
			m.maintain(ctx, held)
			m.maintaining.Store(false)
			held.Release()
			if ctx.Err() == nil {
				o.Logger.LogAttrs(ctx, slog.LevelWarn, "maintainership lost; trying again", slog.String("retry_every", o.RetryInterval.String()))
			}
		}
		retry.Reset(o.RetryInterval)
	}
}

// maintain rescues expired leases every RescueInterval and, on a goroutine
// of its own so that a long delete delays no rescue, deletes finished
// deliveries past Retention at once and every RetentionInterval, until ctx
// ends or held is lost. It returns once both have stopped.
func (m *Maintainer) maintain(ctx context.Context, held store.Maintainership) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-held.Lost():
			cancel()
		case <-ctx.Done():
		}
	}()
	var retention sync.WaitGroup
	defer retention.Wait()
	if m.opts.Probe != nil && m.opts.ProbeInterval > 0 {
		retention.Go(func() { m.probeLoop(ctx) })
	}
	retention.Go(func() { nowAndEvery(ctx, m.opts.RetentionInterval, func() { m.deleteOld(ctx) }) })
	nowAndEvery(ctx, m.opts.RescueInterval, func() { m.rescue(ctx, 0) })
}

// nowAndEvery calls step at once, then every interval (positive) until ctx
// ends.
func nowAndEvery(ctx context.Context, interval time.Duration, step func()) {
	step()
	repeat.Until(ctx, interval, func() bool {
		step()
		return false
	})
}

// rescue takes back the deliveries whose lease expired more than olderThan
// ago: 0 for the maintainer, StuckGrace for the others.
func (m *Maintainer) rescue(ctx context.Context, olderThan time.Duration) {
	n, err := m.store.RescueExpired(ctx, olderThan)
	switch {
	case err != nil && ctx.Err() == nil:
		m.opts.Logger.LogAttrs(ctx, slog.LevelError, "rescue expired leases failed", slog.String("error", err.Error()))
	case n > 0 && olderThan > 0:
		m.opts.Logger.LogAttrs(ctx, slog.LevelWarn, "rescued deliveries whose lease expired long ago: the maintainer seems stuck",
			slog.Int("deliveries", n), slog.String("expired_more_than", olderThan.String()))
	case n > 0:
		m.opts.Logger.LogAttrs(ctx, slog.LevelWarn, "rescued deliveries whose worker was lost", slog.Int("deliveries", n))
	}
}

// ExpiredPortalKeep is how long a customer-portal link and its session
// are kept after they expire (store.Store.DeleteExpiredPortalSessions), so
// that an unused link visited that late still answers 410 Gone, as a used
// one does, rather than 404: a day. The maintainer deletes the older ones
// every RetentionInterval whatever Retention is, even zero (deliveries kept
// forever): the rows are no history, only secrets' hashes.
const ExpiredPortalKeep = 24 * time.Hour

// deleteOld deletes the portal links and sessions that expired more than
// ExpiredPortalKeep ago, then, unless Retention is zero, the finished
// deliveries past Retention.
func (m *Maintainer) deleteOld(ctx context.Context) {
	n, err := m.store.DeleteExpiredPortalSessions(ctx, time.Now().Add(-ExpiredPortalKeep))
	switch {
	case err != nil && ctx.Err() == nil:
		m.opts.Logger.LogAttrs(ctx, slog.LevelError, "delete expired portal sessions failed", slog.String("error", err.Error()))
	case n > 0:
		m.opts.Logger.LogAttrs(ctx, slog.LevelInfo, "deleted expired portal sessions", slog.Int64("portal_sessions", n))
	}
	if m.opts.Retention <= 0 {
		return
	}
	n, err = m.store.DeleteFinishedBefore(ctx, time.Now().Add(-m.opts.Retention))
	switch {
	case err != nil && ctx.Err() == nil:
		m.opts.Logger.LogAttrs(ctx, slog.LevelError, "delete old deliveries failed", slog.String("error", err.Error()))
	case n > 0:
		m.opts.Logger.LogAttrs(ctx, slog.LevelInfo, "deleted old deliveries", slog.Int64("deliveries", n), slog.String("retention", m.opts.Retention.String()))
	}
}

// probeLoop probes the endpoints due for a probe at once and every
// ProbeCheckInterval, until ctx ends.
func (m *Maintainer) probeLoop(ctx context.Context) {
	nowAndEvery(ctx, m.opts.ProbeCheckInterval, func() { m.probeDue(ctx) })
}

// probeDue probes up to probeBatch endpoints whose probe is due,
// probeParallel at a time, and returns once all are recorded.
func (m *Maintainer) probeDue(ctx context.Context) {
	due, err := m.store.DueProbes(ctx, probeBatch)
	if err != nil {
		if ctx.Err() == nil {
			m.opts.Logger.LogAttrs(ctx, slog.LevelError, "find endpoints to probe failed", slog.String("error", err.Error()))
		}
		return
	}
	var wg sync.WaitGroup
	slots := make(chan struct{}, probeParallel)
	for _, e := range due {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			m.probe(ctx, e)
		})
	}
	wg.Wait()
}

// probe sends one probe to e and records its result.
func (m *Maintainer) probe(ctx context.Context, e store.Endpoint) {
	o := m.opts
	id := slog.Int64("endpoint_id", e.ID)
	if !o.Probe(ctx, e) {
		if ctx.Err() != nil {
			return
		}
		wait := store.NextProbeDelay(o.ProbeInterval, o.ProbeIntervalCap, e.Probe.Failures+1)
		if err := m.store.ProbeFailed(ctx, e.ID, time.Now().Add(wait)); err != nil && ctx.Err() == nil {
			o.Logger.LogAttrs(ctx, slog.LevelError, "record failed probe failed", id, slog.String("error", err.Error()))
		}
		return
	}
	n, err := m.store.ProbeSucceeded(ctx, e.ID, o.RecoveryWindow)
	switch {
	case errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound):
		o.Logger.LogAttrs(ctx, slog.LevelInfo, "probe answered, but the endpoint is no longer probed: left as it is", id)
	case err != nil:
		if ctx.Err() == nil {
			o.Logger.LogAttrs(ctx, slog.LevelError, "re-enable probed endpoint failed", id, slog.String("error", err.Error()))
		}
	default:
		o.Logger.LogAttrs(ctx, slog.LevelInfo, "endpoint re-enabled: it answered a probe", id, slog.Int("recovered_deliveries", n))
	}
}
