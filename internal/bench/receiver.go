package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// receiver is the loopback endpoint that counts: it records when each event
// was published and when each of its deliveries first arrived. It checks
// nothing else (signatures are the sender's business, tested elsewhere).
type receiver struct {
	url      string
	server   *http.Server
	expected int64

	mu        sync.Mutex
	publishAt map[string]time.Time // event id → when its publish started
	seen      map[string]int       // event id + endpoint path → arrivals
	arrivals  []arrival            // first arrivals, in order

	unique     atomic.Int64
	duplicates atomic.Int64
	done       chan struct{} // closed when expected deliveries have arrived
}

// arrival is a delivery's first arrival and its publish→arrival latency.
type arrival struct {
	at      time.Time
	latency time.Duration
}

func startReceiver(expected int) (*receiver, error) {
	r := &receiver{
		expected:  int64(expected),
		publishAt: make(map[string]time.Time, expected),
		seen:      make(map[string]int, expected),
		arrivals:  make([]arrival, 0, expected),
		done:      make(chan struct{}),
	}
	var err error
	if r.server, r.url, err = serveLoopback("receiver", r); err != nil {
		return nil, err
	}
	return r, nil
}

// serveLoopback serves handler on a free port of 127.0.0.1, with its
// server's errors discarded, and returns the server and its base URL
// (http://127.0.0.1:port); what names the receiver in the error of a
// failed listen.
func serveLoopback(what string, handler http.Handler) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", what, err)
	}
	server := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(slog.DiscardHandler, slog.LevelError)}
	go server.Serve(ln)
	return server, "http://" + ln.Addr().String(), nil
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	_, _ = io.Copy(io.Discard, req.Body)
	now := time.Now()
	id := req.Header.Get("X-Event-Id")
	key := id + req.URL.Path
	r.mu.Lock()
	r.seen[key]++
	first := r.seen[key] == 1
	if first {
		a := arrival{at: now}
		if at, ok := r.publishAt[id]; ok {
			a.latency = now.Sub(at)
		}
		r.arrivals = append(r.arrivals, a)
	}
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
	if !first {
		r.duplicates.Add(1)
		return
	}
	if r.unique.Add(1) == r.expected {
		close(r.done)
	}
}

// published records that the publish of these events starts now.
func (r *receiver) published(ids ...string) {
	now := time.Now()
	r.mu.Lock()
	for _, id := range ids {
		r.publishAt[id] = now
	}
	r.mu.Unlock()
}

// rebase makes latencies count from t, for runs that publish before the
// workers start.
func (r *receiver) rebase(t time.Time) {
	r.mu.Lock()
	for id := range r.publishAt {
		r.publishAt[id] = t
	}
	r.mu.Unlock()
}

func (r *receiver) wait(ctx context.Context, timeout time.Duration) error {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return fmt.Errorf("timed out after %s with %d of %d deliveries", timeout, r.unique.Load(), r.expected)
	}
}

// summary returns the last first-arrival, how many deliveries first arrived
// up to publishEnd, and the publish→arrival percentiles.
func (r *receiver) summary(publishEnd time.Time) (last time.Time, untilPublishEnd int, p50, p99 time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.arrivals) == 0 {
		return
	}
	latencies := make([]time.Duration, len(r.arrivals))
	for i, a := range r.arrivals {
		latencies[i] = a.latency
		if !a.at.After(publishEnd) {
			untilPublishEnd++
		}
		if a.at.After(last) {
			last = a.at
		}
	}
	slices.Sort(latencies)
	at := func(q float64) time.Duration { return latencies[min(int(q*float64(len(latencies))), len(latencies)-1)] }
	return last, untilPublishEnd, at(0.50), at(0.99)
}

func (r *receiver) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = r.server.Shutdown(ctx)
}

// silentReceiver is a hostile endpoint: it accepts every request and never
// answers, so each attempt to it lasts the sender's whole timeout.
type silentReceiver struct {
	url     string
	server  *http.Server
	closing chan struct{}
}

func startSilentReceiver() (*silentReceiver, error) {
	s := &silentReceiver{closing: make(chan struct{})}
	var err error
	s.server, s.url, err = serveLoopback("silent receiver", http.HandlerFunc(func(_ http.ResponseWriter, req *http.Request) {
		select {
		case <-req.Context().Done():
		case <-s.closing:
		}
	}))
	if err != nil {
		return nil, err
	}
	return s, nil
}

// close drops every held request at once, so that the workers stop quickly.
func (s *silentReceiver) close() {
	close(s.closing)
	_ = s.server.Close()
}
