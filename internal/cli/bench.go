package cli

import (
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/hookrelay/hookrelay/internal/bench"
	"github.com/hookrelay/hookrelay/internal/config"
)

// benchCmd runs the benchmark. Its delivery settings are serve's own flags
// and environment variables with serve's defaults (the embedded
// config.Delivery), so that what it measures is what serve does.
type benchCmd struct {
	Store       string        `default:"both" enum:"sqlite,postgres,both" help:"Store to measure: sqlite, postgres or both."`
	PostgresURL string        `name:"postgres-url" env:"HOOKRELAY_BENCH_POSTGRES_URL" default:"postgres://postgres:postgres@localhost:5432/postgres?sslmode=disable" help:"PostgreSQL to measure on; the benchmark works in a schema of its own and drops it."`
	Scenario    string        `default:"all" help:"Comma-separated scenarios: one, four, many (endpoints, publishing in process), ordered (one endpoint, events with --ordering-keys keys in turn), slow (silent endpoints beside a healthy one), api (POST /v1/events to a 'hookrelay serve' process), api-batch (POST /v1/events/batch), or all of these; and overload (a receiver that slows down with the requests it holds, adaptive limits against fixed ones; only when named)."`
	Deliveries  int           `default:"20000" help:"Deliveries per scenario: each publishes this many ÷ its endpoints events."`
	Many        int           `name:"many-endpoints" default:"50" help:"Endpoints of the many scenario."`
	Keys        int           `name:"ordering-keys" default:"16" help:"Ordering keys of the ordered scenario, taken by its events in turn."`
	APIEnds     int           `name:"api-endpoints" default:"4" help:"Endpoints of the api and api-batch scenarios."`
	Rate        int           `default:"0" help:"Events published per second; 0 publishes as fast as possible."`
	Payload     int           `default:"1024" help:"Approximate size of each event's data, in bytes."`
	Publishers  int           `default:"16" help:"Publishers at once: goroutines in process, HTTP clients in the api scenarios."`
	BatchEvents int           `name:"batch-events" default:"100" help:"Events per request of api-batch (the route takes 1 to 1,000)."`
	Preload     bool          `help:"Publish every event before the workers start (a backlog drain; one, four, many and ordered)."`
	Processes   int           `default:"0" help:"Run the workers in this many 'hookrelay serve' processes instead of in process."`
	SlowSilent  int           `name:"slow-endpoints" default:"6" help:"Silent endpoints (never answer) of the slow scenario, beside one healthy endpoint."`
	SlowEvents  int           `name:"slow-events" default:"300" help:"Events published in the slow scenario."`
	SlowRate    int           `name:"slow-rate" default:"20" help:"Events per second published in the slow scenario."`
	SlowTimeout time.Duration `name:"slow-timeout" default:"3s" help:"Attempt timeout (WEBHOOK_TIMEOUT_MS) in the slow scenario."`
	OverDur     time.Duration `name:"overload-duration" default:"20s" help:"How long the overload scenario measures each mode (adaptive, fixed)."`
	OverEvents  int           `name:"overload-events" default:"10000" help:"Events queued before the overload scenario's workers start (more than a mode delivers)."`
	OverTimeout time.Duration `name:"overload-timeout" default:"250ms" help:"Attempt timeout (WEBHOOK_TIMEOUT_MS) in the overload scenario."`
	OverBase    time.Duration `name:"overload-base" default:"20ms" help:"The overload receiver's answer time when it holds one request."`
	OverKnee    int           `name:"overload-knee" default:"4" help:"Requests the overload receiver holds beside one when its answer time has doubled: it answers in base × (1 + ((n−1)/knee)²)."`
	Timeout     time.Duration `default:"10m" help:"Give up waiting for a scenario's deliveries after this long."`
	CPUProfile  string        `name:"cpuprofile" type:"path" help:"Write a CPU profile of this process to this file (read it with go tool pprof)."`

	config.Delivery `embed:"" group:"Settings of hookrelay serve (its defaults unless set)"`
}

func (c *benchCmd) Run(e Env) error {
	if len(c.EndpointURLs) > 0 {
		return usageError{errors.New("WEBHOOK_URLS: the benchmark makes its own endpoints; unset it")}
	}
	if err := c.Delivery.Validate(); err != nil {
		return usageError{err}
	}
	scenarios, err := bench.ParseScenarios(c.Scenario)
	if err != nil {
		return usageError{fmt.Errorf("--scenario: %w", err)}
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the hookrelay executable: %w", err)
	}
	opts := bench.Options{
		Settings: c.Delivery, Deliveries: c.Deliveries, ManyEndpoints: c.Many, OrderingKeys: c.Keys, APIEndpoints: c.APIEnds,
		Rate: c.Rate, PayloadSize: c.Payload, Publishers: c.Publishers, BatchEvents: c.BatchEvents,
		Preload: c.Preload, Processes: c.Processes, Timeout: c.Timeout, ServeCommand: []string{exe},
		Slow: bench.SlowOptions{Silent: c.SlowSilent, Events: c.SlowEvents, Rate: c.SlowRate, Timeout: c.SlowTimeout},
		Overload: bench.OverloadOptions{
			Duration: c.OverDur, Events: c.OverEvents, Timeout: c.OverTimeout, Base: c.OverBase, Knee: c.OverKnee,
		},
	}
	if err := opts.Validate(); err != nil {
		return usageError{err}
	}
	var targets []bench.Target
	if c.Store != "postgres" {
		targets = append(targets, bench.SQLiteTarget())
	}
	if c.Store != "sqlite" {
		targets = append(targets, bench.PostgresTarget(c.PostgresURL))
	}
	if c.CPUProfile != "" {
		f, err := os.Create(c.CPUProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var results []bench.Result
	var overload []bench.OverloadResult
	var errs []error
	for _, name := range scenarios {
		for _, target := range targets {
			fmt.Fprintf(e.Stderr, "bench: %s on %s…\n", name, target.Name)
			if name == bench.Overload {
				res, err := bench.RunOverload(e.Ctx, target, opts)
				overload = append(overload, res...)
				errs = append(errs, err)
				continue
			}
			res, err := bench.Run(e.Ctx, target, name, opts)
			if err != nil {
				errs = append(errs, err)
			}
			if res.Deliveries > 0 {
				results = append(results, res)
			}
			if e.Ctx.Err() != nil {
				break
			}
		}
	}
	if err := bench.Print(e.Stdout, opts, results); err != nil {
		return err
	}
	if len(overload) > 0 {
		if err := bench.PrintOverload(e.Stdout, opts, overload); err != nil {
			return err
		}
	}
	return errors.Join(errs...)
}
