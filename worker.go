package hookrelay

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/maintenance"
	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
)

// workers is the state of a client's delivery workers.
type workers struct {
	mu      sync.Mutex
	current *run // nil when stopped
	closed  bool // Close was called: no more starts
}

// run is one start of the workers.
type run struct {
	stop context.CancelFunc
	done chan struct{}
	err  error // set before done closes
}

// Start runs delivery workers in the background until Stop is called or ctx
// ends. They claim due deliveries (those of this process and of any other
// sharing the database), send them, and retry failures, exactly as
// `hookrelay serve` does. Beside them, on a goroutine of its own, the client
// takes its turn as the database's maintainer (one process at a time
// rescues deliveries whose worker died and deletes those past WithRetention;
// see Maintenance in the README's "How it works"). After Close, Start
// returns ErrClosed.
func (c *Client[TTx]) Start(ctx context.Context) error {
	_, err := c.start(ctx)
	return err
}

func (c *Client[TTx]) start(ctx context.Context) (*run, error) {
	c.workers.mu.Lock()
	defer c.workers.mu.Unlock()
	if c.workers.closed {
		return nil, ErrClosed
	}
	if r := c.workers.current; r != nil && !r.finished() {
		return nil, ErrRunning
	}
	sender := c.newSender()
	w := c.newWorker(sender)
	turn := &maintainerTurn{Store: c.store}
	m := c.newMaintainer(turn, sender)
	runCtx, stop := context.WithCancel(ctx)
	r := &run{stop: stop, done: make(chan struct{})}
	c.workers.current = r
	go func() {
		maintained := make(chan struct{})
		go func() {
			defer close(maintained)
			_ = m.Run(runCtx) // it ends only with runCtx, with nil
			turn.ended(c.config.Logger, c.workerName)
		}()
		r.err = w.Run(runCtx)
		<-maintained
		close(r.done)
	}()
	return r, nil
}

// newSender builds the sender of the client's workers and probes from its
// Config.
func (c *Client[TTx]) newSender() *delivery.Sender {
	cfg := c.config
	return delivery.NewSender(delivery.SenderOptions{
		Timeout:         cfg.Timeout,
		MaxIdlePerHost:  cfg.EndpointConcurrency,
		AllowPrivate:    cfg.AllowPrivateTargets,
		Client:          cfg.HTTPClient,
		DefaultProfile:  cfg.SignatureProfile,
		OmitTraceHeader: cfg.TraceHeader == OmitTraceHeader,
	})
}

// newWorker builds a delivery worker on sender from the client's Config:
// the one place where hookrelay's settings become the workers' options, for
// the library and for `hookrelay serve` alike.
func (c *Client[TTx]) newWorker(sender *delivery.Sender) *delivery.Worker {
	cfg := c.config
	return delivery.NewWorker(c.store, sender, delivery.Options{
		Name:             c.workerName,
		Concurrency:      cfg.Concurrency,
		EndpointInFlight: cfg.EndpointConcurrency,
		FixedLimits:      cfg.ConcurrencyMode == FixedConcurrency,
		Limits:           c.limits,
		BatchSize:        cfg.BatchSize,
		Lease:            cfg.Lease,
		PollInterval:     cfg.PollInterval,
		ShutdownTimeout:  offToZero(cfg.ShutdownTimeout),
		Retry:            delivery.RetryPolicy{Base: cfg.BackoffBase, Cap: cfg.BackoffCap, RetryAfterCap: cfg.RetryAfterCap},
		Health: store.HealthPolicy{
			DisableAfterFailures:   offToZero(cfg.DisableAfterFailures),
			DisableAfterFailingFor: offToZero(cfg.DisableAfterFailingFor),
			RecoverWithin:          offToZero(cfg.RecoveryWindow),
			ProbeInterval:          offToZero(cfg.ProbeInterval),
		},
		Logger:         cfg.Logger,
		Observer:       c.observer,
		TracerProvider: cfg.TracerProvider,
	})
}

// newMaintainer builds the maintainer that runs beside the client's
// workers: lease rescue, retention unless Config.Retention is Forever, and
// probes on sender unless Config.ProbeInterval is Never.
// One process per database maintains at a time (store.Store.TryMaintain);
// turn is the client's store, watched.
func (c *Client[TTx]) newMaintainer(turn *maintainerTurn, sender *delivery.Sender) *maintenance.Maintainer {
	cfg := c.config
	opts := maintenance.Options{
		Name: c.workerName, Lease: cfg.Lease, Retention: offToZero(cfg.Retention), Logger: cfg.Logger,
		ProbeInterval: offToZero(cfg.ProbeInterval), ProbeIntervalCap: cfg.ProbeIntervalCap,
		RecoveryWindow: offToZero(cfg.RecoveryWindow),
	}
	if opts.ProbeInterval > 0 {
		opts.Probe = func(ctx context.Context, e store.Endpoint) bool { return probe(ctx, sender, e) }
	}
	return maintenance.New(turn, opts)
}

// probe sends with sender one signed service.PingEventType event to e, as any delivery
// of its profile is signed, with {"webhook_id": id, "probe": true}, and
// reports whether it answered 2xx. Nothing of it is stored but its result
// (see Config.ProbeInterval).
func probe(ctx context.Context, sender *delivery.Sender, e store.Endpoint) bool {
	ev := store.Event{
		ID: store.NewEventID(), Type: service.PingEventType,
		Data: fmt.Appendf(nil, `{"webhook_id":%d,"probe":true}`, e.ID), CreatedAt: time.Now().UTC(),
	}
	res := sender.Send(ctx, store.Claimed{
		Delivery: store.Delivery{EndpointID: e.ID, EventID: ev.ID, EventType: ev.Type, Payload: ev.Data},
		Event:    ev,
		Endpoint: e,
	})
	return res.Class == delivery.Delivered
}

// finished reports whether the run has ended, its context done.
func (r *run) finished() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// Stop shuts the workers down gracefully: they stop claiming, hand back
// deliveries not yet sent, wait for requests in flight (WithShutdownTimeout)
// and record their outcomes. Stop returns when that is done, or with ctx's
// error when ctx ends first.
func (c *Client[TTx]) Stop(ctx context.Context) error {
	c.workers.mu.Lock()
	r := c.workers.current
	c.workers.mu.Unlock()
	if r == nil {
		return ErrNotRunning
	}
	r.stop()
	select {
	case <-r.done:
	case <-ctx.Done():
		return fmt.Errorf("hookrelay: stop workers: %w", ctx.Err())
	}
	return c.finish(r)
}

// finish forgets the ended run r and returns its error.
func (c *Client[TTx]) finish(r *run) error {
	c.workers.mu.Lock()
	if c.workers.current == r {
		c.workers.current = nil
	}
	c.workers.mu.Unlock()
	if r.err != nil {
		return fmt.Errorf("hookrelay: %w", r.err)
	}
	return nil
}

// Run runs delivery workers until ctx ends, or Stop is called, and returns
// once they have stopped as Stop does. After Close, Run returns ErrClosed.
func (c *Client[TTx]) Run(ctx context.Context) error {
	r, err := c.start(ctx)
	if err != nil {
		return err
	}
	<-r.done
	return c.finish(r)
}
