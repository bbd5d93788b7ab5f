// Package bench measures hookrelay as its users judge it: it starts a
// receiver on loopback, creates endpoints in a throwaway database, publishes
// events (as fast as possible or at a fixed rate), waits until every delivery
// has arrived, and reports publish rate, delivery throughput, publish-to-
// arrival latency, CPU per 1,000 deliveries and peak memory. It removes what
// it created.
package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/store"
)

// Options describe one benchmark run.
type Options struct {
	Events      int           // events published
	Endpoints   int           // endpoints, each subscribed to every event
	Rate        int           // events per second; 0 publishes as fast as possible
	PayloadSize int           // bytes of padding in each event's data
	Publishers  int           // goroutines publishing at once
	Preload     bool          // publish everything before the workers start
	Timeout     time.Duration // give up waiting for deliveries after this
	Worker      delivery.Options
	// Processes, when above 0, runs that many `hookrelay serve` processes
	// against the database instead of an in-process worker.
	Processes int
}

// Target is a database to run against.
type Target struct {
	Name string
	// Open returns a fresh, migrated store and the DATABASE_URL that names it
	// (for worker processes), and a cleanup that removes it.
	Open func(ctx context.Context) (st store.Store, databaseURL string, cleanup func(), err error)
}

// Result holds the figures of one run.
type Result struct {
	Target         string
	Deliveries     int
	PublishRate    float64 // events per second
	Throughput     float64 // deliveries per second, first publish to last arrival
	P50, P95, P99  time.Duration
	Max            time.Duration
	CPUPer1000     time.Duration // CPU (user+system) per 1,000 deliveries, this process and its worker processes
	PeakRSSMiB     float64       // peak resident memory of this process, or of the largest worker process when Processes > 0
	Duplicates     int64         // deliveries that arrived more than once
	IncompleteNote string
}

// Run benchmarks one target.
func Run(ctx context.Context, target Target, opts Options, spawn Spawner) (Result, error) {
	res := Result{Target: target.Name}
	st, databaseURL, cleanup, err := target.Open(ctx)
	if err != nil {
		return res, fmt.Errorf("%s: %w", target.Name, err)
	}
	defer cleanup()
	defer st.Close()

	rcv, err := startReceiver(opts.Events * opts.Endpoints)
	if err != nil {
		return res, err
	}
	defer rcv.close()
	for i := range opts.Endpoints {
		_, err := st.CreateEndpoint(ctx, store.Endpoint{
			Title: fmt.Sprintf("bench %d", i+1), URL: fmt.Sprintf("%s/%d", rcv.url, i+1),
			Secret: "bench-secret-0123456789", Active: true, SignatureProfile: store.ProfileStandard,
		})
		if err != nil {
			return res, fmt.Errorf("create endpoint: %w", err)
		}
	}

	startWorkers := func() (stopFunc, error) {
		if opts.Processes > 0 {
			return spawn(ctx, databaseURL, opts)
		}
		wctx, cancel := context.WithCancel(ctx)
		w := delivery.NewWorker(st, delivery.NewSender(delivery.SenderOptions{
			Timeout: 10 * time.Second, MaxIdlePerHost: opts.Worker.EndpointInFlight, AllowPrivate: true,
		}), opts.Worker)
		done := make(chan error, 1)
		go func() { done <- w.Run(wctx) }()
		return func() (float64, error) { cancel(); return selfPeakRSSMiB(), <-done }, nil
	}

	cpuStart := cpuTime()
	var stop stopFunc
	if !opts.Preload {
		if stop, err = startWorkers(); err != nil {
			return res, err
		}
	}
	started := time.Now()
	if err := publishAll(ctx, st, rcv, opts); err != nil {
		if stop != nil {
			_, _ = stop()
		}
		return res, err
	}
	publishTime := time.Since(started)
	if opts.Preload {
		started = time.Now()
		rcv.rebase(started)
		if stop, err = startWorkers(); err != nil {
			return res, err
		}
	}
	waitErr := rcv.wait(ctx, opts.Timeout)
	elapsed := rcv.lastArrival().Sub(started)
	peakRSS, stopErr := stop()

	res.Deliveries = int(rcv.unique.Load())
	res.PublishRate = float64(opts.Events) / publishTime.Seconds()
	res.Throughput = float64(res.Deliveries) / elapsed.Seconds()
	res.P50, res.P95, res.P99, res.Max = rcv.percentiles()
	res.Duplicates = rcv.duplicates.Load()
	cpu := cpuTime() - cpuStart
	if res.Deliveries > 0 {
		res.CPUPer1000 = cpu * 1000 / time.Duration(res.Deliveries)
	}
	res.PeakRSSMiB = peakRSS
	if waitErr != nil {
		res.IncompleteNote = waitErr.Error()
	}
	return res, errors.Join(waitErr, stopErr)
}

// stopFunc stops the workers, waits for them, and returns their peak
// resident memory in MiB.
type stopFunc func() (peakRSSMiB float64, err error)

// Spawner starts worker processes against databaseURL and returns a function
// that stops them, waits for them and reports the largest one's peak memory.
type Spawner func(ctx context.Context, databaseURL string, opts Options) (stop func() (float64, error), err error)

func publishAll(ctx context.Context, st store.Store, rcv *receiver, opts Options) error {
	pad := strings.Repeat("x", max(opts.PayloadSize-64, 0))
	var next atomic.Int64
	var interval time.Duration
	if opts.Rate > 0 {
		interval = time.Second / time.Duration(opts.Rate)
	}
	begin := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, opts.Publishers)
	for range max(opts.Publishers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(opts.Events) {
					return
				}
				if interval > 0 {
					if wait := time.Until(begin.Add(time.Duration(i) * interval)); wait > 0 {
						time.Sleep(wait)
					}
				}
				data, _ := json.Marshal(map[string]any{"seq": i, "pad": pad})
				ev := store.Event{ID: store.NewEventID(), Type: "bench.event", Data: data}
				rcv.published(ev.ID)
				res, err := st.Publish(ctx, ev, store.PublishOptions{MaxRetries: 6})
				if err != nil {
					errs <- fmt.Errorf("publish: %w", err)
					return
				}
				if res.Deliveries != opts.Endpoints {
					errs <- fmt.Errorf("publish created %d deliveries, want %d", res.Deliveries, opts.Endpoints)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// receiver is the loopback endpoint: it records when each event was
// published and when each of its deliveries arrived.
type receiver struct {
	url      string
	server   *http.Server
	expected int64

	mu        sync.Mutex
	publishAt map[string]time.Time
	seen      map[string]int // event id + endpoint path → arrivals
	latencies []time.Duration
	last      time.Time

	unique     atomic.Int64
	duplicates atomic.Int64
	done       chan struct{}
}

func startReceiver(expected int) (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("receiver: %w", err)
	}
	r := &receiver{
		url:       "http://" + ln.Addr().String(),
		expected:  int64(expected),
		publishAt: make(map[string]time.Time, expected),
		seen:      make(map[string]int, expected),
		latencies: make([]time.Duration, 0, expected),
		done:      make(chan struct{}),
	}
	r.server = &http.Server{Handler: r, ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(slog.DiscardHandler, slog.LevelError)}
	go r.server.Serve(ln)
	return r, nil
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
		if at, ok := r.publishAt[id]; ok {
			r.latencies = append(r.latencies, now.Sub(at))
		}
		r.last = now
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

func (r *receiver) published(id string) {
	r.mu.Lock()
	r.publishAt[id] = time.Now()
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
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(timeout):
		return fmt.Errorf("timed out after %s with %d of %d deliveries", timeout, r.unique.Load(), r.expected)
	}
}

func (r *receiver) lastArrival() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

func (r *receiver) percentiles() (p50, p95, p99, maxLatency time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.latencies
	if len(l) == 0 {
		return
	}
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	at := func(q float64) time.Duration { return l[min(int(q*float64(len(l))), len(l)-1)] }
	return at(0.50), at(0.95), at(0.99), l[len(l)-1]
}

func (r *receiver) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = r.server.Shutdown(ctx)
}

func cpuTime() time.Duration {
	var self, children syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return tv(self.Utime) + tv(self.Stime) + tv(children.Utime) + tv(children.Stime)
}

// selfPeakRSSMiB is the peak resident memory of this process: the worker
// with the benchmark's own receiver and bookkeeping.
func selfPeakRSSMiB() float64 {
	var usage syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &usage)
	return float64(usage.Maxrss) / 1024 // Maxrss is in KiB on Linux
}
