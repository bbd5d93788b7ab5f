package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// Reconnection delays of the Wakeups listener: the first, and the most.
const (
	listenRetryMin = 100 * time.Millisecond
	listenRetryMax = 10 * time.Second
)

// Wakeups listens on the hookrelay_deliveries channel, which Publish notifies
// when it creates deliveries, on a connection of its own. The returned channel
// (buffer 1) receives a value, without ever blocking the listener, after each
// notification from any process, and once after the listener reconnected
// (notifications may have been lost meanwhile). When the connection drops the
// listener reconnects with exponential backoff. The channel closes when ctx
// ends.
func (s *Store) Wakeups(ctx context.Context) <-chan struct{} {
	ch := make(chan struct{}, 1)
	go s.listen(ctx, ch)
	return ch
}

// listen runs the listener until ctx ends, then closes ch.
func (s *Store) listen(ctx context.Context, ch chan struct{}) {
	defer close(ch)
	delay := listenRetryMin
	for first := true; ; first = false {
		listening := func() {
			if !first {
				wake(ch)
			}
			delay = listenRetryMin
		}
		s.listenOnce(ctx, ch, listening)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, listenRetryMax)
	}
}

// listenOnce connects, LISTENs, calls listening, and forwards notifications
// to ch until the connection fails or ctx ends.
func (s *Store) listenOnce(ctx context.Context, ch chan struct{}, listening func()) {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig)
	if err != nil {
		return
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+wakeupChannel); err != nil {
		return
	}
	listening()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return
		}
		wake(ch)
	}
}

// wake sends on ch unless a wakeup is already waiting there.
func wake(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
