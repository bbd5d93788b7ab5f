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
	return subscribe(ctx, s.wakeups, 1)
}

// Deactivations returns a channel (buffer 256) that receives the id of each
// active endpoint that this store disabled (UpdateEndpoint, Complete's
// health rules) or deleted, once the change has committed (see
// store.Store.Deactivations). Changes by other processes on the same file are
// not seen. Values a receiver that far behind has not taken are dropped; the
// channel closes when ctx ends.
func (s *Store) Deactivations(ctx context.Context) <-chan int64 {
	return subscribe(ctx, s.deactivations, deactivationBuffer)
}

// subscribe adds a channel of size buffer to b until ctx ends.
func subscribe[T any](ctx context.Context, b *broadcast[T], buffer int) <-chan T {
	ch := make(chan T, buffer)
	b.add(ch)
	go func() {
		<-ctx.Done()
		b.remove(ch)
		close(ch)
	}()
	return ch
}

// broadcast is a set of subscribed channels of one store.
type broadcast[T any] struct {
	mu   sync.Mutex
	subs map[chan T]struct{}
}

func newBroadcast[T any]() *broadcast[T] {
	return &broadcast[T]{subs: make(map[chan T]struct{})}
}

func (b *broadcast[T]) add(ch chan T) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.subs[ch] = struct{}{}
}

// remove unsubscribes ch; once it returns, send no longer writes to ch.
func (b *broadcast[T]) remove(ch chan T) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.subs, ch)
}

// send gives v to every subscriber that has room for it, never blocking.
func (b *broadcast[T]) send(v T) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- v:
		default:
		}
	}
}
