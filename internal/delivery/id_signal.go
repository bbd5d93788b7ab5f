package delivery

import "sync"

// idSignal carries endpoint IDs from any goroutine to the dispatch loop
// without ever blocking the sender: add collects them, ready receives a
// value when some are waiting, take returns and clears them.
type idSignal struct {
	mu    sync.Mutex
	ids   []int64
	ready chan struct{}
}

func newIDSignal() *idSignal {
	return &idSignal{ready: make(chan struct{}, 1)}
}

func (s *idSignal) add(id int64) {
	s.mu.Lock()
	s.ids = append(s.ids, id)
	s.mu.Unlock()
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

func (s *idSignal) take() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := s.ids
	s.ids = nil
	return ids
}
