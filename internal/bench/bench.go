// Package bench measures hookrelay as its users run it: `hookrelay serve`'s
// settings (its defaults unless told otherwise), a loopback receiver that
// counts arrivals, a throwaway database, and events published in this
// process, through the HTTP API of a separate `hookrelay serve` process, or
// through its batch route. Each scenario (one endpoint, four, many, one
// endpoint with ordering keys, silent endpoints beside a healthy one, API
// publishing) gives one row: publish
// rate, deliveries per second end to end, publish→arrival latency, CPU per
// 1,000 deliveries and peak memory. It removes what it created.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/client"
	"github.com/hookrelay/hookrelay/internal/clientparts"
	"github.com/hookrelay/hookrelay/internal/config"
	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/store"
)

// The scenarios, in the order "all" runs them.
const (
	// One publishes in process to one endpoint.
	One = "one"
	// Four publishes in process to four endpoints.
	Four = "four"
	// Many publishes in process to Options.ManyEndpoints endpoints.
	Many = "many"
	// Ordered is One with an ordering key on every event, spread over
	// Options.OrderingKeys keys in turn: each key's deliveries go one at a
	// time, so that beside One it shows what ordering costs.
	Ordered = "ordered"
	// Slow publishes in process at Options.Slow.Rate to one healthy endpoint
	// beside Options.Slow.Silent endpoints that never answer, and measures
	// the healthy one.
	Slow = "slow"
	// API publishes through POST /v1/events of a `hookrelay serve` process,
	// one event per request, to Options.APIEndpoints endpoints.
	API = "api"
	// APIBatch publishes through POST /v1/events/batch of a `hookrelay
	// serve` process, Options.BatchEvents events per request.
	APIBatch = "api-batch"
)

// Scenarios lists every scenario, in the order "all" runs them.
var Scenarios = []string{One, Four, Many, Ordered, Slow, API, APIBatch}

// ParseScenarios reads a comma-separated list of scenario names, where
// "all" stands for every scenario of Scenarios, and returns them in the
// order given without repeats; Overload is known but only runs when named.
// An unknown name is an error listing the known ones.
func ParseScenarios(list string) ([]string, error) {
	var names []string
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		expanded := []string{name}
		if name == "all" {
			expanded = Scenarios
		} else if !slices.Contains(Scenarios, name) && name != Overload {
			return nil, fmt.Errorf("unknown scenario %q: want %s, %s or all", name, strings.Join(Scenarios, ", "), Overload)
		}
		for _, n := range expanded {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names, nil
}

// Options describe the runs. Settings are the worker's; the others shape
// the load.
type Options struct {
	// Settings are the delivery settings of `hookrelay serve` that every
	// worker runs with, in process or in a child process; the caller fills
	// them with serve's defaults and the overrides it was given.
	Settings config.Delivery
	// Deliveries is the number of deliveries each scenario aims at: it
	// publishes Deliveries ÷ its endpoints events (at least one). The slow
	// scenario publishes Slow.Events instead.
	Deliveries int
	// ManyEndpoints is the number of endpoints of the many scenario.
	ManyEndpoints int
	// OrderingKeys is the number of ordering keys of the ordered scenario.
	OrderingKeys int
	// APIEndpoints is the number of endpoints of the api and api-batch scenarios.
	APIEndpoints int
	// Rate is events published per second; 0 publishes as fast as possible.
	// The slow scenario uses Slow.Rate.
	Rate int
	// PayloadSize is the approximate size of each event's data, in bytes.
	PayloadSize int
	// Publishers is how many publish at once: goroutines in process, HTTP
	// clients in the api scenarios.
	Publishers int
	// BatchEvents is the number of events per request of api-batch.
	BatchEvents int
	// Preload publishes every event before the workers start (a backlog
	// drain). It applies to one, four, many and ordered.
	Preload bool
	// Processes, when above 0, runs the workers in that many `hookrelay
	// serve` processes instead of in process; the api scenarios publish
	// through all of them in turn.
	Processes int
	// Slow shapes the slow scenario.
	Slow SlowOptions
	// Overload shapes the overload scenario (RunOverload).
	Overload OverloadOptions
	// Timeout gives up waiting for a scenario's deliveries after this long.
	Timeout time.Duration
	// ServeCommand starts hookrelay: the executable and any arguments to
	// put before "serve" (the CLI passes its own executable).
	ServeCommand []string
}

// SlowOptions shape the slow scenario: silent endpoints that never answer
// beside one healthy endpoint, events published at a steady rate.
type SlowOptions struct {
	Silent  int           // endpoints that never answer
	Events  int           // events published, each to every endpoint
	Rate    int           // events published per second
	Timeout time.Duration // WEBHOOK_TIMEOUT_MS of this scenario
}

// Target is a database to run against.
type Target struct {
	Name string
	// Create makes an empty database and returns the DATABASE_URL that
	// names it and a function that removes it.
	Create func(ctx context.Context) (databaseURL string, drop func(), err error)
}

// Result holds the figures of one scenario on one store.
type Result struct {
	Scenario   string
	Store      string
	Endpoints  string // endpoints, e.g. "4" or "1 + 6 silent"
	Publishing string // how events were published
	Events     int    // events published
	Expected   int    // deliveries expected at the counting receiver
	Deliveries int    // deliveries counted there (first arrivals)
	// PublishRate is events published per second, first publish call to
	// last answer.
	PublishRate float64
	// Throughput is deliveries per second end to end: first publish (with
	// Preload, the workers' start) to last arrival.
	Throughput float64
	// DuringPublish is how many deliveries arrived before publishing
	// ended; -1 with Preload, where the workers start after it.
	DuringPublish int
	// P50 and P99 are publish→arrival latencies (with Preload, from the
	// workers' start).
	P50, P99 time.Duration
	// CPUPer1k is the CPU time (user + system) of every hookrelay process
	// of the run, this one with its publisher and receiver included, per
	// 1,000 counted deliveries; PostgreSQL's own is not counted.
	CPUPer1k time.Duration
	// PeakRSSMiB is the peak resident memory of the process running the
	// workers: this one (its receiver included) or the largest `serve`.
	PeakRSSMiB float64
	Duplicates int64  // deliveries that arrived more than once
	Note       string // why the run is incomplete, when it is
}

// scenario is one scenario made concrete by the options.
type scenario struct {
	name      string
	endpoints int           // endpoints that answer, counted at the receiver
	silent    int           // endpoints that never answer
	events    int           // events published
	rate      int           // events per second, 0 as fast as possible
	timeout   time.Duration // attempt timeout; 0 keeps the settings'
	via       string        // "" in process, API or APIBatch
	preload   bool          // publish everything before the workers start
	keys      int           // ordering keys the events take in turn; 0 for none
}

func (o Options) scenario(name string) (scenario, error) {
	eventsFor := func(endpoints int) int { return max(o.Deliveries/max(endpoints, 1), 1) }
	switch name {
	case One, Four, Many:
		n := map[string]int{One: 1, Four: 4, Many: o.ManyEndpoints}[name]
		return scenario{name: name, endpoints: n, events: eventsFor(n), rate: o.Rate, preload: o.Preload}, nil
	case Ordered:
		return scenario{name: name, endpoints: 1, events: eventsFor(1), rate: o.Rate, preload: o.Preload, keys: o.OrderingKeys}, nil
	case Slow:
		return scenario{name: name, endpoints: 1, silent: o.Slow.Silent, events: o.Slow.Events, rate: o.Slow.Rate, timeout: o.Slow.Timeout}, nil
	case API, APIBatch:
		return scenario{name: name, endpoints: o.APIEndpoints, events: eventsFor(o.APIEndpoints), rate: o.Rate, via: name}, nil
	}
	return scenario{}, fmt.Errorf("unknown scenario %q", name)
}

// Validate checks the options and says which one is wrong.
func (o Options) Validate() error {
	var errs []error
	for _, f := range []struct {
		name  string
		value int
	}{
		{"deliveries", o.Deliveries}, {"many endpoints", o.ManyEndpoints}, {"ordering keys", o.OrderingKeys}, {"api endpoints", o.APIEndpoints},
		{"publishers", o.Publishers}, {"batch events", o.BatchEvents}, {"slow events", o.Slow.Events}, {"slow rate", o.Slow.Rate},
	} {
		if f.value <= 0 {
			errs = append(errs, fmt.Errorf("%s must be positive, got %d", f.name, f.value))
		}
	}
	if o.Rate < 0 || o.PayloadSize < 0 || o.Processes < 0 || o.Slow.Silent < 0 {
		errs = append(errs, errors.New("rate, payload, processes and slow endpoints must not be negative"))
	}
	if o.Slow.Timeout <= 0 || o.Timeout <= 0 {
		errs = append(errs, errors.New("slow timeout and timeout must be positive"))
	}
	if len(o.ServeCommand) == 0 {
		errs = append(errs, errors.New("no command to start hookrelay serve"))
	}
	return errors.Join(errs...)
}

// system is what a scenario measures: how to publish, how to start the
// workers when they are not running yet, and how to stop everything.
type system struct {
	publishers   []publisher
	describe     string
	startWorkers func() error // nil when they already run
	// limits are the in-process workers' endpoint limits; nil when the
	// workers run in `serve` processes.
	limits *delivery.Limits
	// stop stops the workers and returns the peak resident memory of the
	// process that ran them.
	stop func() (peakRSSMiB float64, err error)
}

// Run runs one scenario on target and returns its figures. A run that
// timed out still returns what it measured, with Note saying so.
func Run(ctx context.Context, target Target, name string, opts Options) (Result, error) {
	sc, err := opts.scenario(name)
	if err != nil {
		return Result{}, err
	}
	res := Result{Scenario: sc.name, Store: target.Name, Events: sc.events, Expected: sc.events * sc.endpoints, DuringPublish: -1}
	res.Endpoints = strconv.Itoa(sc.endpoints)
	if sc.silent > 0 {
		res.Endpoints = fmt.Sprintf("%d + %d silent", sc.endpoints, sc.silent)
	}
	if sc.keys > 0 {
		res.Endpoints = fmt.Sprintf("%d, %d ordering keys", sc.endpoints, sc.keys)
	}
	databaseURL, drop, err := target.Create(ctx)
	if err != nil {
		return res, fmt.Errorf("%s: %w", target.Name, err)
	}
	defer drop()

	rcv, err := startReceiver(res.Expected)
	if err != nil {
		return res, err
	}
	defer rcv.close()
	urls := make([]string, 0, sc.endpoints+sc.silent)
	for i := range sc.endpoints {
		urls = append(urls, fmt.Sprintf("%s/%d", rcv.url, i+1))
	}
	closeSilent := func() {}
	if sc.silent > 0 {
		silent, err := startSilentReceiver()
		if err != nil {
			return res, err
		}
		closeSilent = sync.OnceFunc(silent.close)
		defer closeSilent()
		for i := range sc.silent {
			urls = append(urls, fmt.Sprintf("%s/silent-%d", silent.url, i+1))
		}
	}
	settings := opts.Settings
	if sc.timeout > 0 {
		settings.TimeoutMS = int(sc.timeout.Milliseconds())
	}

	cpuStart := cpuTime()
	resetPeakRSS()
	var sys system
	if sc.via != "" {
		sys, err = startAPISystem(ctx, sc, opts, settings, databaseURL, urls)
	} else {
		sys, err = startInProcessSystem(ctx, sc, opts, settings, databaseURL, urls)
	}
	if err != nil {
		return res, fmt.Errorf("%s on %s: %w", sc.name, target.Name, err)
	}
	res.Publishing = sys.describe

	perCall := 1
	if sc.via == APIBatch {
		perCall = opts.BatchEvents
	}
	started := time.Now()
	pubErr := publishAll(ctx, rcv.published, publishPlan{
		events: sc.events, perCall: perCall, rate: sc.rate, workers: opts.Publishers, keys: sc.keys,
		payloadSize: opts.PayloadSize, publishers: sys.publishers,
	})
	publishEnd := time.Now()
	res.PublishRate = float64(sc.events) / publishEnd.Sub(started).Seconds()
	var waitErr error
	if pubErr == nil && sys.startWorkers != nil {
		started = time.Now()
		rcv.rebase(started)
		pubErr = sys.startWorkers()
	}
	if pubErr == nil {
		waitErr = rcv.wait(ctx, opts.Timeout)
	}
	last, during, p50, p99 := rcv.summary(publishEnd)
	closeSilent()
	peakRSS, stopErr := sys.stop()

	res.Deliveries = int(rcv.unique.Load())
	if res.Deliveries > 0 {
		res.Throughput = float64(res.Deliveries) / last.Sub(started).Seconds()
		res.CPUPer1k = (cpuTime() - cpuStart) * 1000 / time.Duration(res.Deliveries)
	}
	if sys.startWorkers == nil {
		res.DuringPublish = during
	}
	res.P50, res.P99 = p50, p99
	res.PeakRSSMiB = peakRSS
	res.Duplicates = rcv.duplicates.Load()
	if err := errors.Join(pubErr, waitErr); err != nil {
		res.Note = err.Error()
	}
	if err := errors.Join(pubErr, waitErr, stopErr); err != nil {
		return res, fmt.Errorf("%s on %s: %w", sc.name, target.Name, err)
	}
	return res, nil
}

// startInProcessSystem publishes in this process, straight into the store;
// the workers run in this process, or in opts.Processes `serve` processes.
func startInProcessSystem(ctx context.Context, sc scenario, opts Options, settings config.Delivery, databaseURL string, urls []string) (system, error) {
	// The workers' settings: serve's, on loopback receivers; JSON at info,
	// as serve logs by default, formatted and discarded.
	serve := config.Serve{Delivery: settings}
	serve.AllowPrivate = true
	lib, err := serve.Library()
	if err != nil {
		return system{}, config.EnvError(err)
	}
	lib.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
	client, err := hookrelay.Open(ctx, databaseURL, lib)
	if err != nil {
		return system{}, err
	}
	st := clientparts.Of(client).Store
	for i, u := range urls {
		if _, err := st.CreateEndpoint(ctx, store.Endpoint{
			Title: fmt.Sprintf("bench %d", i+1), URL: u, Secret: "bench-secret-0123456789",
			Active: true, SignatureProfile: store.ProfileStandard,
		}); err != nil {
			client.Close()
			return system{}, fmt.Errorf("create endpoint: %w", err)
		}
	}
	sys := system{
		publishers: []publisher{storePublisher(st, settings.MaxRetries, len(urls))},
		describe:   fmt.Sprintf("in process ×%d", opts.Publishers),
	}
	if opts.Processes == 0 {
		sys.limits = clientparts.Of(client).Limits
	}
	var stopWorkers func() (float64, error)
	start := func() error {
		if opts.Processes > 0 {
			procs, err := startServes(ctx, opts, settings, databaseURL, newToken())
			stopWorkers = func() (float64, error) { return stopServes(procs) }
			return err
		}
		if err := client.Start(ctx); err != nil {
			return err
		}
		stopWorkers = func() (float64, error) { err := client.Stop(context.WithoutCancel(ctx)); return selfPeakRSSMiB(), err }
		return nil
	}
	sys.stop = func() (float64, error) {
		var peak float64
		var err error
		if stopWorkers != nil {
			peak, err = stopWorkers()
		}
		return peak, errors.Join(err, client.Close())
	}
	if sc.preload {
		sys.startWorkers = start
		return sys, nil
	}
	if err := start(); err != nil {
		_, _ = sys.stop()
		return system{}, err
	}
	return sys, nil
}

// startAPISystem starts `hookrelay serve` processes, creates the endpoints
// through the API and publishes through it, one event per request or in
// batches.
func startAPISystem(ctx context.Context, sc scenario, opts Options, settings config.Delivery, databaseURL string, urls []string) (system, error) {
	token := newToken()
	procs, err := startServes(ctx, opts, settings, databaseURL, token)
	if err != nil {
		return system{}, err
	}
	sys := system{stop: func() (float64, error) { return stopServes(procs) }}
	httpClient := &http.Client{Timeout: time.Minute, Transport: &http.Transport{
		MaxIdleConns: opts.Publishers, MaxIdleConnsPerHost: opts.Publishers, IdleConnTimeout: time.Minute,
	}}
	for i, p := range procs {
		base := "http://" + p.addr
		c, err := client.New(base, token, httpClient)
		if err != nil {
			_, _ = sys.stop()
			return system{}, err
		}
		if i == 0 {
			for j, u := range urls {
				if _, err := c.CreateEndpoint(ctx, wire.EndpointCreate{Title: fmt.Sprintf("bench %d", j+1), URL: u}); err != nil {
					_, _ = sys.stop()
					return system{}, fmt.Errorf("create endpoint through the API: %w", err)
				}
			}
		}
		if sc.via == APIBatch {
			sys.publishers = append(sys.publishers, apiBatchPublisher(httpClient, base, token, len(urls)))
		} else {
			sys.publishers = append(sys.publishers, apiPublisher(c, len(urls)))
		}
	}
	sys.describe = fmt.Sprintf("POST /v1/events ×%d clients", opts.Publishers)
	if sc.via == APIBatch {
		sys.describe = fmt.Sprintf("POST /v1/events/batch of %d ×%d clients", opts.BatchEvents, opts.Publishers)
	}
	return sys, nil
}

// startServes starts max(opts.Processes, 1) `hookrelay serve` processes.
func startServes(ctx context.Context, opts Options, settings config.Delivery, databaseURL, token string) ([]*serveProcess, error) {
	var procs []*serveProcess
	for range max(opts.Processes, 1) {
		p, err := startServe(ctx, opts.ServeCommand, databaseURL, settings, token)
		if err != nil {
			_, _ = stopServes(procs)
			return nil, err
		}
		procs = append(procs, p)
	}
	return procs, nil
}

// stopServes stops the processes and returns the largest peak memory.
func stopServes(procs []*serveProcess) (float64, error) {
	var peak float64
	var errs []error
	for _, p := range procs {
		_ = p.cmd.Process.Signal(syscall.SIGTERM) // all stop at once
	}
	for _, p := range procs {
		_, rss, err := p.stop()
		peak = max(peak, rss)
		errs = append(errs, err)
	}
	return peak, errors.Join(errs...)
}

// cpuTime is the CPU time (user + system) of this process and of its
// children that have ended.
func cpuTime() time.Duration {
	var self, children syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	return time.Duration(self.Utime.Nano() + self.Stime.Nano() + children.Utime.Nano() + children.Stime.Nano())
}

// resetPeakRSS starts this process's peak resident memory (VmHWM) afresh,
// so that each scenario reports its own (Linux 4.0 and later).
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// selfPeakRSSMiB is the peak resident memory of this process since the last
// resetPeakRSS: the workers with the benchmark's receiver and bookkeeping.
func selfPeakRSSMiB() float64 {
	if status, err := os.ReadFile("/proc/self/status"); err == nil {
		for line := range strings.SplitSeq(string(status), "\n") {
			if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kib, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
				if err == nil {
					return kib / 1024
				}
			}
		}
	}
	var usage syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &usage)
	return float64(usage.Maxrss) / 1024 // KiB on Linux
}
