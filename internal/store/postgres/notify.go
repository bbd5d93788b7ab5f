package postgres

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// Reconnection delays of the listeners: the first, and the most.
const (
	listenRetryMin = 100 * time.Millisecond
	listenRetryMax = 10 * time.Second
)

// deactivationChannel is the NOTIFY channel on which migration 005's
// triggers announce, with its id, each active endpoint that is disabled or
// deleted.
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
		s.listen(ctx, wakeupChannel, func(string) { wake() }, func(first bool) {
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
		s.listen(ctx, deactivationChannel, func(payload string) {
			if id, err := strconv.ParseInt(payload, 10, 64); err == nil {
				send(id)
			}
		}, func(bool) { send(0) })
	}()
	return ch
}

// listen LISTENs on channel until ctx ends, calling notified with the payload
// of each notification and listening each time it starts listening: first
// true the first time, false when it listens again after a lost connection
// (notifications may have been lost meanwhile). It reconnects with
// exponential backoff.
func (s *Store) listen(ctx context.Context, channel string, notified func(payload string), listening func(first bool)) {
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
// notified until the connection fails or ctx ends.
func (s *Store) listenOnce(ctx context.Context, channel string, notified func(string), listening func()) {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig)
	if err != nil {
		return
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return
	}
	listening()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return
		}
		notified(n.Payload)
	}
}
