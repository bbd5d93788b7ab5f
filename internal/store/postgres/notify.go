package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Reconnection delays of the listeners: the first, and the most.
const (
	listenRetryMin = 100 * time.Millisecond
	listenRetryMax = 10 * time.Second
)

// deactivationChannel is the NOTIFY channel on which migration 005's
// triggers announce each active endpoint that is disabled or deleted, as
// "schema:id" since migration 009 (a bare id before it).
const deactivationChannel = "hookrelay_endpoints"

// deactivationBuffer is how many deactivations wait for a slow receiver
// before more are dropped.
const deactivationBuffer = 256

// Wakeups listens on the hookrelay_deliveries channel, which Publish notifies
// when it creates deliveries, on a connection of its own. The returned channel
// (buffer 1) receives a value, without ever blocking the listener, after each
// notification from any process, and once after the listener reconnected
// (notifications may have been lost meanwhile). When the connection drops the
// listener reconnects with exponential backoff. The channel closes when ctx
// ends.
func (s *Store) Wakeups(ctx context.Context) <-chan struct{} {
	ch := make(chan struct{}, 1)
	wake := func() {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
	go func() {
		defer close(ch)
		s.listen(ctx, wakeupChannel, func(string, string) { wake() }, func(first bool) {
			if !first {
				wake()
			}
		})
	}()
	return ch
}

// Deactivations listens on the hookrelay_endpoints channel, on a connection
// of its own, and sends the id of each endpoint that any process disabled or
// deleted (see store.Store.Deactivations), and 0 each time it starts
// listening. When its buffer (256) is full it drops ids and sends 0 as soon
// as there is room again. It closes when ctx ends.
func (s *Store) Deactivations(ctx context.Context) <-chan int64 {
	ch := make(chan int64, deactivationBuffer)
	var lost bool
	send := func(id int64) {
		if lost {
			select {
			case ch <- 0:
				lost = false
			default:
				return
			}
		}
		select {
		case ch <- id:
		default:
			lost = true
		}
	}
	go func() {
		defer close(ch)
		s.listen(ctx, deactivationChannel, func(payload, schema string) {
			if id, ok := deactivatedID(payload, schema); ok {
				send(id)
			}
		}, func(bool) { send(0) })
	}()
	return ch
}

// deactivatedID is the endpoint that a deactivation payload announces
// ("schema:id", or a bare id from a trigger older than migration 009), and
// whether it is one of schema's, the schema of this store's webhooks table.
func deactivatedID(payload, schema string) (int64, bool) {
	if at := strings.LastIndexByte(payload, ':'); at >= 0 {
		if payload[:at] != schema {
			return 0, false
		}
		payload = payload[at+1:]
	}
	id, err := strconv.ParseInt(payload, 10, 64)
	return id, err == nil
}

// listen LISTENs on channel until ctx ends, calling notified with the payload
// of each notification (and the schema of the webhooks table its connection
// sees) and listening each time it starts listening: first
// true the first time, false when it listens again after a lost connection
// (notifications may have been lost meanwhile). It reconnects with
// exponential backoff.
func (s *Store) listen(ctx context.Context, channel string, notified func(payload, schema string), listening func(first bool)) {
	delay := listenRetryMin
	for first := true; ; first = false {
		listened := func() {
			listening(first)
			delay = listenRetryMin
		}
		s.listenOnce(ctx, channel, notified, listened)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, listenRetryMax)
	}
}

// listenOnce connects, LISTENs, calls listening, and passes notifications to
// notified, with the schema of the webhooks table on the connection's
// search_path, until the connection fails or ctx ends.
func (s *Store) listenOnce(ctx context.Context, channel string, notified func(payload, schema string), listening func()) {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig)
	if err != nil {
		return
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var schema string
	if err := conn.QueryRow(ctx, `
		SELECT coalesce((SELECT n.nspname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		                 WHERE c.oid = to_regclass('webhooks')), '')`).Scan(&schema); err != nil {
		return
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return
	}
	listening()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return
		}
		notified(n.Payload, schema)
	}
}
