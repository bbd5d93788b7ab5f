package delivery

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/hookrelay/hookrelay/internal/mask"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/tracecontext"
)

// Options configure a Worker. They must be complete (Validate): the root
// package builds them from hookrelay.Config.WithDefaults, the one place that
// holds the defaults. Only Name, FixedLimits, Limits, Logger, Observer
// and TracerProvider may be left zero (see each).
type Options struct {
	// Name identifies this worker's leases; empty: a new WorkerName.
	Name string
	// Concurrency is the most requests in flight at once.
	Concurrency int
	// EndpointInFlight is the most requests in flight at once to one
	// endpoint: the ceiling of its adaptive limit (see dispatcher and
	// endpointState.adapt), which starts lower, grows while the endpoint
	// answers 2xx at a steady latency and halves when it shows overload.
	EndpointInFlight int
	// FixedLimits turns adaptation off: every endpoint may have
	// EndpointInFlight requests in flight at once, always. False (the
	// default): limits adapt.
	FixedLimits bool
	// Limits, when set, receives each endpoint's current limit, for the
	// metrics and the dashboard; Run clears it when it returns. Nil: none.
	Limits *Limits
	// BatchSize is the most deliveries claimed by one query.
	BatchSize int
	// Lease is how long a claimed delivery stays with this worker.
	Lease time.Duration
	// PollInterval is how often an idle worker looks for due retries.
	PollInterval time.Duration
	// ShutdownTimeout is how long Run waits for requests in flight once its
	// context ends; 0 cuts them at once.
	ShutdownTimeout time.Duration
	// Retry schedules retries; each delivery carries its own retry budget.
	// Base, Cap and RetryAfterCap are positive.
	Retry RetryPolicy
	// Health disables endpoints that keep failing; a zero rule is off.
	Health store.HealthPolicy
	// Logger receives one line per attempt and the worker's troubles; nil
	// drops them.
	Logger *slog.Logger
	// Observer receives the worker's events for metrics; nil: none.
	Observer Observer
	// TracerProvider makes the spans of attempts, claims and outcome
	// writes; nil: the application's global one (otel.GetTracerProvider).
	TracerProvider trace.TracerProvider
}

// Validate reports the first setting of o that is missing or out of range:
// the counts, Lease, PollInterval and the retry delays must be positive,
// ShutdownTimeout not negative.
func (o Options) Validate() error {
	switch {
	case o.Concurrency <= 0 || o.EndpointInFlight <= 0 || o.BatchSize <= 0:
		return fmt.Errorf("delivery options: Concurrency, EndpointInFlight and BatchSize must be positive, got %d, %d and %d",
			o.Concurrency, o.EndpointInFlight, o.BatchSize)
	case o.Lease <= 0 || o.PollInterval <= 0:
		return fmt.Errorf("delivery options: Lease and PollInterval must be positive, got %s and %s", o.Lease, o.PollInterval)
	case o.Retry.Base <= 0 || o.Retry.Cap < o.Retry.Base || o.Retry.RetryAfterCap <= 0:
		return fmt.Errorf("delivery options: want 0 < Retry.Base <= Retry.Cap and a positive Retry.RetryAfterCap, got %+v", o.Retry)
	case o.ShutdownTimeout < 0:
		return fmt.Errorf("delivery options: ShutdownTimeout must not be negative, got %s", o.ShutdownTimeout)
	}
	return nil
}

func (o Options) withDefaults() Options {
	if o.Name == "" {
		o.Name = WorkerName()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Observer == nil {
		o.Observer = NopObserver{}
	}
	return o
}

// WorkerName returns a new name for a worker's leases: host-pid-random.
func WorkerName() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Worker claims due deliveries from a store and sends them. Several workers,
// in one process or many, may share one PostgreSQL store.
type Worker struct {
	store  store.Store
	sender *Sender
	opts   Options
	tracer trace.Tracer
}

// NewWorker returns a worker that sends with sender. It panics when opts
// are not complete (Validate), a mistake of the caller's code rather than a
// setting: settings are checked before, by hookrelay.Config.Validate.
func NewWorker(s store.Store, sender *Sender, opts Options) *Worker {
	if err := opts.Validate(); err != nil {
		panic("delivery.NewWorker: " + err.Error())
	}
	return &Worker{store: s, sender: sender, opts: opts.withDefaults(), tracer: tracecontext.Tracer(opts.TracerProvider)}
}

// Name returns the name under which the worker holds leases.
func (w *Worker) Name() string { return w.opts.Name }

// shutdownWriteGrace bounds the database writes of a shutdown (handing leases
// back, recording the last outcomes) once requests have stopped.
const shutdownWriteGrace = 5 * time.Second

// Run delivers until ctx ends, then shuts down gracefully: it stops claiming,
// hands back the leases of deliveries not yet sent, waits up to
// ShutdownTimeout for requests in flight, and records their outcomes.
func (w *Worker) Run(ctx context.Context) error {
	o := w.opts
	bg := context.WithoutCancel(ctx)
	sendCtx, cancelSends := context.WithCancel(bg)
	defer cancelSends()

	comp := newCompleter(w.store, o.Health, o.Logger, o.Observer, 4*o.Concurrency)
	comp.tracer = w.tracer
	writeCtx, cancelWrites := context.WithCancel(bg)
	defer cancelWrites()
	go comp.run(writeCtx)

	wake := w.store.Wakeups(ctx)
	deactivated := w.store.Deactivations(ctx)
	waitReady(ctx, deactivated)
	d := newDispatcher(dispatchLimits{
		total: o.Concurrency, perEndpoint: o.EndpointInFlight, hold: o.Concurrency + o.BatchSize,
		lease: o.Lease, timeout: w.sender.timeout, fixed: o.FixedLimits, limits: o.Limits,
	}, time.Now)
	defer o.Limits.clear()
	done := make(chan attemptEnd, o.Concurrency)
	start := func(run []started) {
		for _, s := range run {
			o.Observer.InFlight(1)
			go func() {
				end := w.attempt(sendCtx, comp, s.claimed)
				end.restricted = s.restricted
				o.Observer.InFlight(-1)
				done <- end
			}()
		}
	}

	poll := time.NewTimer(0)
	defer poll.Stop()
	// token fires when the earliest delivery this worker's claims deferred
	// for a rate limit gets its token (tokens holds those times, sorted), so
	// that the full rate holds whatever the poll interval.
	token := time.NewTimer(time.Hour)
	token.Stop()
	defer token.Stop()
	var tokens []time.Time
	forget := time.NewTicker(idleForget)
	defer forget.Stop()

	// due: work is probably waiting in the store; claim as soon as there is
	// room for a useful batch.
	due := true
	// Claim in batches of at least half a batch while work keeps coming: a
	// claim's cost is mostly per statement, and a worker holds a batch more
	// than its slots, so that waiting for half a batch of room leaves no slot
	// idle.
	threshold := max(o.BatchSize/2, 1)
	for ctx.Err() == nil {
		if due && d.room() >= threshold {
			var deferred []time.Time
			due, deferred = w.claim(ctx, d, start)
			if !due {
				poll.Reset(o.PollInterval)
			}
			if len(deferred) > 0 {
				tokens = append(tokens, deferred...)
				slices.SortFunc(tokens, time.Time.Compare)
				tokens = slices.Compact(tokens)
				token.Reset(time.Until(tokens[0]))
			}
			continue
		}
		select {
		case <-ctx.Done():
		case end := <-done:
			// A finish may start waiting deliveries: first hear of every
			// endpoint disabled meanwhile (select picks among ready cases
			// at random), so that none of its deliveries starts.
			w.handBackDisabled(ctx, d, deactivated)
			run, release, claim := d.finish(end)
			start(run)
			w.release(ctx, release)
			due = due || claim
		case id, ok := <-deactivated:
			if !ok {
				deactivated = nil
				continue
			}
			w.handBackDisabled(ctx, d, deactivated, id)
		case _, ok := <-wake:
			if !ok {
				wake = nil
			}
			due = true
		case <-poll.C:
			due = true
		case <-token.C:
			now := time.Now()
			for len(tokens) > 0 && !tokens[0].After(now) {
				tokens = tokens[1:]
			}
			if len(tokens) > 0 {
				token.Reset(time.Until(tokens[0]))
			}
			due = true
		case <-comp.linesFreed:
			// The next delivery of an ordering key may be due.
			due = true
		case <-forget.C:
			d.forgetIdle()
		}
	}
	return w.shutdown(bg, d, done, comp, cancelSends, cancelWrites)
}

// deactivationsReadyWait bounds how long a worker waits, before its first
// claim, for its Deactivations listener to be ready.
const deactivationsReadyWait = 2 * time.Second

// waitReady waits until deactivated says it is ready (0), ends, or
// deactivationsReadyWait passes, so that no endpoint disabled after the
// worker started goes unheard.
func waitReady(ctx context.Context, deactivated <-chan int64) {
	timeout := time.NewTimer(deactivationsReadyWait)
	defer timeout.Stop()
	for {
		select {
		case id, ok := <-deactivated:
			if !ok || id == 0 {
				return
			}
		case <-ctx.Done():
			return
		case <-timeout.C:
			return
		}
	}
}

// handBackDisabled tells d of every endpoint disabled so far (ids, then
// what deactivated holds, without waiting), by this worker's outcomes or by
// anyone (store.Store.Deactivations announces both), and hands back their
// waiting deliveries. A 0 from deactivated means deactivations may have been
// missed: then every endpoint whose deliveries wait here is looked up in the
// store.
func (w *Worker) handBackDisabled(ctx context.Context, d *dispatcher, deactivated <-chan int64, ids ...int64) {
	for more := true; more; {
		select {
		case id, ok := <-deactivated:
			if ok {
				ids = append(ids, id)
			}
			more = ok
		default:
			more = false
		}
	}
	var release []store.Claimed
	for i := 0; i < len(ids); i++ { // ids grows when a 0 asks for a check
		if ids[i] == 0 {
			ids = append(ids, w.inactive(ctx, d.waitingEndpoints())...)
			continue
		}
		release = append(release, d.disabled(ids[i])...)
	}
	w.release(ctx, release)
}

// inactive returns those of ids whose endpoint is no longer active (or no
// longer exists).
func (w *Worker) inactive(ctx context.Context, ids []int64) []int64 {
	var out []int64
	for _, id := range ids {
		e, err := w.store.GetEndpoint(ctx, id)
		switch {
		case errors.Is(err, store.ErrNotFound), err == nil && !e.Active:
			out = append(out, id)
		case err != nil && ctx.Err() == nil:
			w.opts.Logger.LogAttrs(ctx, slog.LevelWarn, "check endpoint failed", slog.Int64("webhook_id", id), slog.String("error", err.Error()))
		}
	}
	return out
}

// claim asks the store for as much work as there is room for, skipping the
// endpoints that accept no more, starts what the slots allow and keeps the
// rest waiting. It reports whether the batch came back full, meaning more
// work is probably due, and the token times of the deliveries the claim
// deferred for a rate limit.
func (w *Worker) claim(ctx context.Context, d *dispatcher, start func([]started)) (more bool, tokenTimes []time.Time) {
	limit := min(d.room(), w.opts.BatchSize)
	began := time.Now()
	claimed, err := w.store.Claim(ctx, store.ClaimRequest{
		Limit:         limit,
		Lease:         w.opts.Lease,
		Worker:        w.opts.Name,
		SkipEndpoints: d.skipList(),
		TokenTimes:    &tokenTimes,
	})
	if len(claimed) > 0 || err != nil {
		// An idle poll that found nothing makes no span.
		tracecontext.RecordBatch(ctx, w.tracer, "hookrelay.claim", began, err,
			attribute.Int("hookrelay.batch.limit", limit), attribute.Int("hookrelay.batch.size", len(claimed)))
	}
	if err != nil {
		if ctx.Err() == nil {
			w.opts.Logger.LogAttrs(ctx, slog.LevelError, "claim deliveries failed", slog.String("error", err.Error()))
		}
		return false, nil
	}
	run, overflow := d.admit(claimed)
	start(run)
	w.release(ctx, overflow)
	// A full batch that was handed back whole says nothing of other work:
	// claiming again would bring the same deliveries back.
	return len(claimed) == limit && len(overflow) < len(claimed), tokenTimes
}

// release hands claimed deliveries back to the store. It does so even once
// ctx has ended (a worker that is stopping hands back what it holds), within
// shutdownWriteGrace; what it cannot hand back waits for its lease to expire.
func (w *Worker) release(ctx context.Context, claimed []store.Claimed) {
	if len(claimed) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownWriteGrace)
	defer cancel()
	leases := make([]store.Lease, len(claimed))
	for i, c := range claimed {
		leases[i] = c.Lease
	}
	if err := w.store.Release(ctx, leases); err != nil {
		w.opts.Logger.LogAttrs(ctx, slog.LevelWarn, "release deliveries failed; their leases will expire",
			slog.Int("deliveries", len(leases)), slog.String("error", err.Error()))
	}
}

func (w *Worker) shutdown(ctx context.Context, d *dispatcher, done chan attemptEnd, comp *completer,
	cancelSends, cancelWrites context.CancelFunc) error {
	w.release(ctx, d.drainWaiting())
	// Stage by stage: wait for requests in flight; past the deadline, cut
	// them (they hand their leases back); if outcomes still cannot be written
	// (the database is down), stop writing so that nothing waits forever:
	// unwritten outcomes' leases expire and those deliveries go out again.
	deadline := time.NewTimer(w.opts.ShutdownTimeout)
	defer deadline.Stop()
	var dropped bool
	for stage := 0; d.inFlight() > 0; {
		select {
		case end := <-done:
			_, release, _ := d.finish(end)
			w.release(ctx, release)
		case <-deadline.C:
			stage++
			switch stage {
			case 1:
				w.opts.Logger.LogAttrs(ctx, slog.LevelWarn, "shutdown deadline reached; handing back requests in flight",
					slog.Int("in_flight", d.inFlight()))
				cancelSends()
				deadline.Reset(shutdownWriteGrace)
			default:
				cancelWrites()
				dropped = true
			}
		}
	}
	close(comp.in)
	select {
	case <-comp.done:
	case <-time.After(shutdownWriteGrace):
		cancelWrites()
		<-comp.done
		dropped = true
	}
	if dropped {
		return errors.New("shutdown: delivery outcomes not all recorded; their leases will expire and they will be sent again")
	}
	return nil
}

// attempt sends one delivery, queues its outcome and says how it ended.
func (w *Worker) attempt(ctx context.Context, comp *completer, c store.Claimed) attemptEnd {
	started := time.Now()
	ctx, span := startAttempt(ctx, w.tracer, c)
	res := w.sender.Send(ctx, c)
	end := attemptEnd{endpointID: c.Endpoint.ID, class: res.Class, started: started, duration: time.Since(started)}
	if res.Attempt.ResponseStatus != nil {
		end.status = *res.Attempt.ResponseStatus
	}
	if ctx.Err() != nil && res.Class != Delivered {
		// Shutdown cut this request short: hand it back unsent.
		span.SetStatus(codes.Error, "shutdown cut the attempt short; handed back")
		span.End()
		w.release(ctx, []store.Claimed{c})
		end.class = 0
		return end
	}
	out := w.outcome(c, res)
	endAttempt(span, res, out)
	w.opts.Observer.AttemptFinished(c, res, out.Result)
	w.log(ctx, c, res, out)
	comp.add(out, c.Delivery.OrderingKey != "" && out.Result != store.ResultRetry)
	return end
}

// outcome decides what an attempt's result does to its delivery.
func (w *Worker) outcome(c store.Claimed, res SendResult) store.Outcome {
	out := store.Outcome{Lease: c.Lease, Attempt: res.Attempt, SlowDown: res.AsksToSlowDown() && c.Endpoint.RateLimitPerSecond > 0}
	switch {
	case res.Class == Delivered:
		out.Result = store.ResultDelivered
		if res.AnsweredChallenge {
			out.Verifies = c.Event.ID
		}
	case res.Class == Retryable && c.Delivery.RetryCount < c.Delivery.MaxRetries:
		out.Result = store.ResultRetry
		out.RetryAt = time.Now().Add(w.opts.Retry.Next(c.Delivery.RetryCount, res.RetryAfter)).UTC()
	default:
		out.Result = store.ResultFailed
		if res.Class == Gone {
			out.DisableEndpoint = "endpoint answered 410 Gone"
		}
	}
	return out
}

func (w *Worker) log(ctx context.Context, c store.Claimed, res SendResult, out store.Outcome) {
	level := slog.LevelInfo
	if out.Result != store.ResultDelivered {
		level = slog.LevelWarn
	}
	status := 0
	if res.Attempt.ResponseStatus != nil {
		status = *res.Attempt.ResponseStatus
	}
	attrs := []slog.Attr{
		slog.String("event_id", c.Event.ID),
		slog.String("event_type", c.Event.Type),
		slog.Int64("delivery_id", c.Delivery.ID),
		slog.Int64("webhook_id", c.Endpoint.ID),
		slog.Int("attempt", res.Attempt.Attempt),
		slog.Int("status", status),
		slog.Int64("duration_ms", res.Attempt.DurationMS),
		slog.String("outcome", out.Result.String()),
	}
	if res.Attempt.Error != "" {
		// The stored error keeps the endpoint's URL whole, as the API shows
		// it to the operator; logs, shipped further, get it masked.
		attrs = append(attrs, slog.String("error", mask.URLsIn(res.Attempt.Error)))
	}
	if out.Result == store.ResultRetry {
		attrs = append(attrs, slog.Time("next_attempt_at", out.RetryAt))
	}
	if sc := res.SpanContext; sc.IsValid() {
		attrs = append(attrs, slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	w.opts.Logger.LogAttrs(ctx, level, "delivery attempt", attrs...)
}
