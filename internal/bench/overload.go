package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"
)

// Overload is the scenario of a receiver that slows down with the requests
// it holds, measured with adaptive limits and with fixed ones (RunOverload).
// It is not part of "all": it runs for a set time rather than for a number
// of deliveries, and its figures are its own table's (PrintOverload).
const Overload = "overload"

// OverloadOptions shape the overload scenario: one endpoint whose receiver
// answers a request in Base × (1 + ((n−1)/Knee)²), n being the requests it
// holds with this one, a backlog of Events events queued before the workers
// start, and Duration of deliveries measured per mode.
type OverloadOptions struct {
	Duration time.Duration // how long each mode is measured
	Events   int           // events queued before the workers start
	Timeout  time.Duration // WEBHOOK_TIMEOUT_MS of this scenario
	Base     time.Duration // the receiver's answer time when it holds one request
	Knee     int           // requests held beside one at which its answer time doubles
}

// delay is the receiver's answer time with n requests held.
func (o OverloadOptions) delay(n int64) time.Duration {
	x := float64(n-1) / float64(o.Knee)
	return time.Duration(float64(o.Base) * (1 + x*x))
}

func (o OverloadOptions) validate() error {
	if o.Duration <= 0 || o.Events <= 0 || o.Timeout <= 0 || o.Base <= 0 || o.Knee <= 0 {
		return fmt.Errorf("overload duration, events, timeout, base and knee must be positive, got %s, %d, %s, %s and %d",
			o.Duration, o.Events, o.Timeout, o.Base, o.Knee)
	}
	return nil
}

// OverloadResult holds the figures of one mode of the overload scenario.
type OverloadResult struct {
	Store string
	// Mode is "adaptive" or "fixed" (HOOKRELAY_ADAPTIVE_CONCURRENCY=false).
	Mode string
	// MeanLimit is the endpoint's in-flight limit (what /metrics shows),
	// and MeanInFlight the requests the receiver held, both sampled every
	// 50 ms over Duration (the limit once the workers have one).
	MeanLimit, MeanInFlight float64
	// Requests is how many requests reached the receiver during Duration;
	// Delivered those it answered 2xx, Timeouts those the sender gave up
	// on first.
	Requests, Delivered, Timeouts int64
	// Goodput is Delivered per second of Duration.
	Goodput float64
	// P50 and P99 are the receiver's answer times of the 2xx.
	P50, P99 time.Duration
	Note     string // why the run is incomplete, when it is
}

// RunOverload runs the overload scenario on target, with adaptive limits
// and then with fixed ones, each on a database of its own, and returns the
// figures of both. The workers run in this process (opts.Processes does not
// apply), with opts.Settings, the scenario's timeout, and the health rules
// off (HOOKRELAY_DISABLE_AFTER_FAILURES and _FAILING_FOR 0), so that
// timeouts do not disable the endpoint during the measure.
func RunOverload(ctx context.Context, target Target, opts Options) ([]OverloadResult, error) {
	if err := opts.Overload.validate(); err != nil {
		return nil, err
	}
	var results []OverloadResult
	for _, adaptive := range []bool{true, false} {
		res, err := runOverloadMode(ctx, target, opts, adaptive)
		if res.Requests > 0 {
			results = append(results, res)
		}
		if err != nil {
			return results, fmt.Errorf("%s (%s) on %s: %w", Overload, res.Mode, target.Name, err)
		}
	}
	return results, nil
}

func runOverloadMode(ctx context.Context, target Target, opts Options, adaptive bool) (OverloadResult, error) {
	o := opts.Overload
	res := OverloadResult{Store: target.Name, Mode: "fixed"}
	if adaptive {
		res.Mode = "adaptive"
	}
	databaseURL, drop, err := target.Create(ctx)
	if err != nil {
		return res, err
	}
	defer drop()
	rcv, err := startLoadedReceiver(o)
	if err != nil {
		return res, err
	}
	defer rcv.close()

	settings := opts.Settings
	settings.TimeoutMS = int(o.Timeout.Milliseconds())
	settings.Adaptive = adaptive
	// The health rules would disable the endpoint after 100 timeouts in a
	// row (fixed limits get there within seconds) and end the measure.
	settings.DisableAfter, settings.DisableAfterFor = 0, 0
	inProcess := opts
	inProcess.Processes = 0
	sc := scenario{name: Overload, endpoints: 1, events: o.Events, preload: true}
	sys, err := startInProcessSystem(ctx, sc, inProcess, settings, databaseURL, []string{rcv.url})
	if err != nil {
		return res, err
	}
	pubErr := publishAll(ctx, func(...string) {}, publishPlan{
		events: o.Events, perCall: 1, workers: opts.Publishers, payloadSize: opts.PayloadSize, publishers: sys.publishers,
	})
	if pubErr == nil {
		pubErr = sys.startWorkers()
	}
	var limits, limitSamples, inFlight, samples float64
	if pubErr == nil {
		tick := time.NewTicker(50 * time.Millisecond)
		end := time.NewTimer(o.Duration)
	measure:
		for {
			select {
			case <-tick.C:
				for _, l := range sys.limits.All() { // one endpoint
					limits += float64(l)
					limitSamples++
				}
				inFlight += float64(rcv.inFlight.Load())
				samples++
			case <-end.C:
				break measure
			case <-ctx.Done():
				pubErr = ctx.Err()
				break measure
			}
		}
		tick.Stop()
		end.Stop()
	}
	// What arrives from here on is outside the measure.
	res.Requests, res.Delivered, res.Timeouts = rcv.requests.Load(), rcv.delivered.Load(), rcv.timeouts.Load()
	res.P50, res.P99 = rcv.percentiles()
	rcv.close() // cuts the requests in flight, so that the workers stop at once
	_, stopErr := sys.stop()
	if limitSamples > 0 {
		res.MeanLimit = limits / limitSamples
	}
	if samples > 0 {
		res.MeanInFlight = inFlight / samples
	}
	res.Goodput = float64(res.Delivered) / o.Duration.Seconds()
	if pubErr != nil {
		res.Note = pubErr.Error()
	}
	return res, errors.Join(pubErr, stopErr)
}

// loadedReceiver answers 204 after OverloadOptions.delay for the requests
// it holds, and counts what it got.
type loadedReceiver struct {
	url    string
	server *http.Server
	opts   OverloadOptions

	inFlight  atomic.Int64
	requests  atomic.Int64
	delivered atomic.Int64
	timeouts  atomic.Int64 // requests whose sender hung up before the answer
	closing   chan struct{}
	closeOnce sync.Once

	mu      sync.Mutex
	answers []time.Duration
}

func startLoadedReceiver(o OverloadOptions) (*loadedReceiver, error) {
	r := &loadedReceiver{opts: o, closing: make(chan struct{})}
	var err error
	if r.server, r.url, err = serveLoopback("overload receiver", r); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *loadedReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	_, _ = io.Copy(io.Discard, req.Body)
	start := time.Now()
	n := r.inFlight.Add(1)
	defer r.inFlight.Add(-1)
	r.requests.Add(1)
	wait := time.NewTimer(r.opts.delay(n))
	defer wait.Stop()
	select {
	case <-wait.C:
		w.WriteHeader(http.StatusNoContent)
		r.delivered.Add(1)
		r.mu.Lock()
		r.answers = append(r.answers, time.Since(start))
		r.mu.Unlock()
	case <-req.Context().Done():
		r.timeouts.Add(1)
	case <-r.closing:
	}
}

// percentiles returns the median and 99th percentile of the 2xx answer
// times so far.
func (r *loadedReceiver) percentiles() (p50, p99 time.Duration) {
	r.mu.Lock()
	answers := slices.Clone(r.answers)
	r.mu.Unlock()
	if len(answers) == 0 {
		return 0, 0
	}
	slices.Sort(answers)
	at := func(q float64) time.Duration { return answers[min(int(q*float64(len(answers))), len(answers)-1)] }
	return at(0.50), at(0.99)
}

func (r *loadedReceiver) close() {
	r.closeOnce.Do(func() {
		close(r.closing)
		_ = r.server.Close()
	})
}

// PrintOverload writes the overload scenario's shape and one table row per
// result, as a Markdown table aligned for reading.
func PrintOverload(w io.Writer, opts Options, results []OverloadResult) error {
	o := opts.Overload
	fmt.Fprintf(w, "\noverload: one endpoint whose receiver answers in %s × (1 + ((n−1)/%d)²) with n requests held (%s alone, %s at %d, %s at %d);"+
		" attempt timeout %s; %d events queued, then %s measured per mode; settings as above, with HOOKRELAY_ADAPTIVE_CONCURRENCY as the mode says"+
		" and the health rules off (HOOKRELAY_DISABLE_AFTER_FAILURES=0, HOOKRELAY_DISABLE_AFTER_FAILING_FOR=0)\n\n",
		o.Base, o.Knee, o.delay(1), o.delay(int64(o.Knee+1)), o.Knee+1, o.delay(int64(opts.Settings.EndpointInFlight)), opts.Settings.EndpointInFlight,
		o.Timeout, o.Events, o.Duration)
	columns := []string{"store", "concurrency", "mean limit", "mean in flight", "requests", "delivered (2xx)", "timeouts", "goodput deliveries/s", "p50 answer", "p99 answer"}
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	fmt.Fprintf(tw, "| %s\t|\n", strings.Join(columns, "\t| "))
	fmt.Fprintf(tw, "|%s\n", strings.Repeat(" ---\t|", len(columns)))
	for _, r := range results {
		cells := []string{
			r.Store, r.Mode, fmt.Sprintf("%.1f", r.MeanLimit), fmt.Sprintf("%.1f", r.MeanInFlight), fmt.Sprint(r.Requests),
			fmt.Sprint(r.Delivered), fmt.Sprint(r.Timeouts), fmt.Sprintf("%.1f", r.Goodput), ms(r.P50), ms(r.P99),
		}
		fmt.Fprintf(tw, "| %s\t|\n", strings.Join(cells, "\t| "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range results {
		if r.Note != "" {
			fmt.Fprintf(w, "%s (%s) on %s: %s\n", Overload, r.Mode, r.Store, r.Note)
		}
	}
	return nil
}
