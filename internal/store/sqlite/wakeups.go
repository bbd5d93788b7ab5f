package sqlite

import (
	"context"
	"sync"
)

// Wakeups returns a channel (buffer 1) that receives a value, without ever
// blocking the publisher, after each Publish of this store that created
// deliveries has committed. Publishes of other processes on the same file
// are not seen: their deliveries wait for the workers' next poll. The channel
// closes when ctx ends.
func (s *Store) Wakeups(ctx context.Context) <-chan struct{} {
	ch := make(chan struct{}, 1)
	s.wakeups.add(ch)
	go func() {
		<-ctx.Done()
		s.wakeups.remove(ch)
		close(ch)
	}()
	return ch
}

// broadcast is the set of Wakeups channels of one store.
type broadcast struct {
	mu   sync.Mutex
	subs map[chan struct{}]struct{}
}

func newBroadcast() *broadcast {
	return &broadcast{subs: make(map[chan struct{}]struct{})}
}

func (b *broadcast) add(ch chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.subs[ch] = struct{}{}
}

// remove unsubscribes ch; once it returns, send no longer writes to ch.
func (b *broadcast) remove(ch chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.subs, ch)
}

// send wakes every subscriber that has no wakeup waiting already.
func (b *broadcast) send() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
