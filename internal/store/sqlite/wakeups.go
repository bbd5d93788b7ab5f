package sqlite

import (
	"context"
	"sync"
)

// deactivationBuffer is how many deactivations wait for a slow receiver
// before more are dropped.
const deactivationBuffer = 256

// Wakeups returns a channel (buffer 1) that receives a value, without ever
// blocking the publisher, after each Publish of this store that created
// deliveries has committed. Publishes of other processes on the same file
// are not seen: their deliveries wait for the workers' next poll. The channel
// closes when ctx ends.
func (s *Store) Wakeups(ctx context.Context) <-chan struct{} {
	return subscribe(ctx, s.wakeups, 1, false)
}

// Deactivations returns a channel (buffer 256) that receives the id of each
// active endpoint that this store disabled (UpdateEndpoint, Complete's
// health rules) or deleted, once the change has committed (see
// store.Store.Deactivations). Changes by other processes on the same file are
// not seen. It holds 0 at once (it is ready when it returns); when its
// buffer is full it drops ids and sends 0 as soon as there is room again.
// The channel closes when ctx ends.
func (s *Store) Deactivations(ctx context.Context) <-chan int64 {
	return subscribe(ctx, s.deactivations, deactivationBuffer, true)
}

// subscribe adds a channel of size buffer to b until ctx ends, holding the
// zero value at once when ready is set.
func subscribe[T any](ctx context.Context, b *broadcast[T], buffer int, ready bool) <-chan T {
	ch := make(chan T, buffer)
	if ready {
		var zero T
		ch <- zero
	}
	b.add(ch)
	go func() {
		<-ctx.Done()
		b.remove(ch)
		close(ch)
	}()
	return ch
}

// broadcast is a set of subscribed channels of one store, each with whether
// a value was dropped for it since it last took one.
type broadcast[T any] struct {
	mu   sync.Mutex
	subs map[chan T]bool
}

func newBroadcast[T any]() *broadcast[T] {
	return &broadcast[T]{subs: make(map[chan T]bool)}
}

func (b *broadcast[T]) add(ch chan T) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.subs[ch] = false
}

// remove unsubscribes ch; once it returns, send no longer writes to ch.
func (b *broadcast[T]) remove(ch chan T) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.subs, ch)
}

// send gives v to every subscriber that has room for it, never blocking. A
// subscriber that had a value dropped gets the zero value first, once it
// has room, so that it knows values were lost.
func (b *broadcast[T]) send(v T) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var zero T
	for ch, lost := range b.subs {
		if lost {
			select {
			case ch <- zero:
				b.subs[ch] = false
			default:
				continue
			}
		}
		select {
		case ch <- v:
		default:
			b.subs[ch] = true
		}
	}
}
