package delivery

import (
	"context"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/tracecontext"
)

const (
	// completeBatch is the most outcomes written by one Complete call.
	completeBatch = 256
	// completeRetryMax is the longest wait between two tries of a failed write.
	completeRetryMax = 5 * time.Second
)

// completer collects attempt outcomes from the senders and writes them to the
// store in batches, so the hot path costs a few statements per batch rather
// than per delivery. A failed write is retried until it succeeds or the
// completer is stopped; outcomes whose lease expired in the meantime are
// skipped by the store and their deliveries are sent again (at-least-once).
type completer struct {
	store    store.Store
	health   store.HealthPolicy
	logger   *slog.Logger
	observer Observer
	// tracer records each write as a span (tracecontext.RecordBatch); the
	// worker gives it its own, newCompleter the global one.
	tracer trace.Tracer
	in     chan queuedOutcome
	done   chan struct{}
	// linesFreed receives a value (without blocking: it holds one) after
	// a write that ended a delivery with an ordering key (delivered or
	// failed), so that the worker claims the next one of its key at once
	// rather than at its next poll: until the write, the store holds it back.
	linesFreed chan struct{}
}

// queuedOutcome is an outcome waiting to be written; endsLine says that it
// ends a delivery with an ordering key, which frees the next of its key.
type queuedOutcome struct {
	store.Outcome
	endsLine bool
}

func newCompleter(s store.Store, health store.HealthPolicy, logger *slog.Logger, observer Observer, capacity int) *completer {
	return &completer{
		store:    s,
		health:   health,
		logger:   logger,
		observer: observer,
		tracer:   tracecontext.Tracer(nil),
		in:       make(chan queuedOutcome, capacity),
		done:     make(chan struct{}),

		linesFreed: make(chan struct{}, 1),
	}
}

// add queues an outcome; it blocks only when the completer is far behind.
// endsLine tells that o ends a delivery with an ordering key.
func (c *completer) add(o store.Outcome, endsLine bool) { c.in <- queuedOutcome{o, endsLine} }

// run writes outcomes until in is closed and drained. ctx bounds each write;
// when it ends, outcomes still unwritten are dropped and their leases expire.
func (c *completer) run(ctx context.Context) {
	defer close(c.done)
	batch := make([]store.Outcome, 0, completeBatch)
	for o := range c.in {
		batch = append(batch[:0], o.Outcome)
		freed := o.endsLine
	drain:
		for len(batch) < completeBatch {
			select {
			case o, ok := <-c.in:
				if !ok {
					break drain
				}
				batch = append(batch, o.Outcome)
				freed = freed || o.endsLine
			default:
				break drain
			}
		}
		c.write(ctx, batch)
		if freed {
			select {
			case c.linesFreed <- struct{}{}:
			default:
			}
		}
	}
}

// write records batch. A write that fails while the store still answers a
// ping is taken to be refused for something in the batch, not for the store:
// the batch is split in halves written on their own, so that one outcome the
// store refuses never holds back the others; a single outcome that is still
// refused is written once more without its response detail (see bare), and
// dropped if even that fails (its lease expires and it is sent again). While
// the store does not answer, the same batch is retried with backoff until it
// succeeds or ctx ends.
func (c *completer) write(ctx context.Context, batch []store.Outcome) {
	wait := 50 * time.Millisecond
	tries := 0
	for {
		err := c.complete(ctx, batch)
		if err == nil {
			return
		}
		tries++
		c.logger.LogAttrs(ctx, slog.LevelError, "record delivery outcomes failed",
			slog.Int("outcomes", len(batch)), slog.String("error", err.Error()))
		if ctx.Err() == nil && c.store.Ping(ctx) == nil {
			switch {
			case len(batch) > 1:
				half := len(batch) / 2
				c.write(ctx, batch[:half])
				c.write(ctx, batch[half:])
				return
			case tries == 2:
				batch = []store.Outcome{bare(batch[0], err)}
				continue
			case tries > 2:
				c.logger.LogAttrs(ctx, slog.LevelError, "delivery outcome refused by the store; its lease will expire and it will be sent again",
					slog.Int64("delivery_id", batch[0].Lease.DeliveryID), slog.String("error", err.Error()))
				return
			}
		}
		select {
		case <-ctx.Done():
			c.logger.LogAttrs(context.Background(), slog.LevelError, "delivery outcomes not recorded; their leases will expire and they will be sent again",
				slog.Int("outcomes", len(batch)))
			return
		case <-time.After(wait):
		}
		wait = min(wait*2, completeRetryMax)
	}
}

// complete writes batch in one call and reports the endpoints it disabled.
func (c *completer) complete(ctx context.Context, batch []store.Outcome) error {
	began := time.Now()
	res, err := c.store.Complete(ctx, batch, c.health)
	tracecontext.RecordBatch(ctx, c.tracer, "hookrelay.complete", began, err,
		attribute.Int("hookrelay.batch.size", len(batch)), attribute.Int("hookrelay.batch.applied", res.Applied))
	if err != nil {
		return err
	}
	for _, d := range res.Disabled {
		c.logger.LogAttrs(ctx, slog.LevelWarn, "endpoint disabled",
			slog.Int64("webhook_id", d.ID), slog.String("reason", d.Reason))
		c.observer.EndpointDisabled(d.ID, d.Reason)
	}
	return nil
}

// bareErrorBytes bounds the store error quoted in a bare outcome.
const bareErrorBytes = 512

// bare returns o without the attempt's headers and response body, its error
// saying why: the form of an outcome that the store refused in full.
func bare(o store.Outcome, refused error) store.Outcome {
	a := o.Attempt
	msg := refused.Error()
	if len(msg) > bareErrorBytes {
		msg = msg[:bareErrorBytes]
	}
	detail := a.Error
	if detail != "" {
		detail += "; "
	}
	a.Error = detail + "response not recorded, the store refused it: " + msg
	a.RequestHeaders, a.ResponseHeaders, a.ResponseBody = nil, nil, ""
	o.Attempt = a
	return o
}
