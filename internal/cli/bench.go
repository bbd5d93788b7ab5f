package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hookrelay/hookrelay/internal/bench"
	"github.com/hookrelay/hookrelay/internal/delivery"
)

type benchCmd struct {
	Store               string        `default:"both" enum:"sqlite,postgres,both" help:"Store to measure: sqlite, postgres or both."`
	PostgresURL         string        `name:"postgres-url" env:"HOOKRELAY_BENCH_POSTGRES_URL" default:"postgres://postgres:postgres@localhost:5432/postgres?sslmode=disable" help:"PostgreSQL to measure on; the benchmark works in a schema of its own and drops it."`
	Events              int           `default:"20000" help:"Events to publish."`
	Endpoints           int           `default:"4" help:"Endpoints, each subscribed to every event (deliveries = events × endpoints)."`
	Rate                int           `default:"0" help:"Events published per second; 0 publishes as fast as possible."`
	Payload             int           `default:"1024" help:"Approximate size of each event's data, in bytes."`
	Publishers          int           `default:"8" help:"Goroutines publishing at once."`
	Concurrency         int           `default:"128" help:"Requests in flight at once per worker."`
	EndpointConcurrency int           `name:"endpoint-concurrency" default:"64" help:"Requests in flight at once to one endpoint."`
	BatchSize           int           `name:"batch-size" default:"200" help:"Deliveries claimed per query."`
	Preload             bool          `help:"Publish every event before the workers start (measures draining a backlog)."`
	Processes           int           `default:"0" help:"Run this many 'hookrelay serve' processes instead of an in-process worker."`
	Timeout             time.Duration `default:"10m" help:"Give up waiting for deliveries after this long."`
	CPUProfile          string        `name:"cpuprofile" type:"path" help:"Write a CPU profile of the run to this file (read it with go tool pprof)."`
}

func (c *benchCmd) Run(e Env) error {
	if c.Events <= 0 || c.Endpoints <= 0 || c.Publishers <= 0 || c.Concurrency <= 0 || c.EndpointConcurrency <= 0 || c.BatchSize <= 0 || c.Rate < 0 || c.Payload < 0 || c.Processes < 0 {
		return usageError{errors.New("--events, --endpoints, --publishers, --concurrency, --endpoint-concurrency and --batch-size must be positive; --rate, --payload and --processes not negative")}
	}
	opts := bench.Options{
		Events: c.Events, Endpoints: c.Endpoints, Rate: c.Rate, PayloadSize: c.Payload,
		Publishers: c.Publishers, Preload: c.Preload, Timeout: c.Timeout, Processes: c.Processes,
		Worker: delivery.Options{
			Concurrency: c.Concurrency, EndpointInFlight: c.EndpointConcurrency, BatchSize: c.BatchSize,
			Lease: time.Minute, PollInterval: 100 * time.Millisecond,
			Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
		},
	}
	var targets []bench.Target
	if c.Store != "postgres" {
		targets = append(targets, bench.SQLiteTarget())
	}
	if c.Store != "sqlite" {
		targets = append(targets, bench.PostgresTarget(c.PostgresURL))
	}
	fmt.Fprintf(e.Stdout, "%d events × %d endpoints, %d-byte payloads, rate %s, %s\n\n",
		c.Events, c.Endpoints, c.Payload, rateText(c.Rate), workersText(c.Processes, c.Concurrency))
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
	var errs []error
	for _, target := range targets {
		res, err := bench.Run(e.Ctx, target, opts, c.spawn)
		if err != nil {
			errs = append(errs, err)
		}
		if res.Deliveries > 0 {
			results = append(results, res)
		}
	}
	if err := bench.Print(e.Stdout, results); err != nil {
		return err
	}
	return errors.Join(errs...)
}

func rateText(rate int) string {
	if rate == 0 {
		return "as fast as possible"
	}
	return fmt.Sprintf("%d events/s", rate)
}

func workersText(processes, concurrency int) string {
	if processes == 0 {
		return fmt.Sprintf("1 in-process worker, concurrency %d", concurrency)
	}
	return fmt.Sprintf("%d 'hookrelay serve' processes, concurrency %d each", processes, concurrency)
}

// spawn starts opts.Processes `hookrelay serve` processes on databaseURL.
func (c *benchCmd) spawn(ctx context.Context, databaseURL string, opts bench.Options) (func() (float64, error), error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	var procs []*exec.Cmd
	stopAll := func() (float64, error) {
		var errs []error
		var peak float64
		for _, p := range procs {
			peak = max(peak, peakRSSMiB(p.Process.Pid))
			_ = p.Process.Signal(syscall.SIGTERM)
		}
		for _, p := range procs {
			if err := p.Wait(); err != nil {
				errs = append(errs, fmt.Errorf("worker process: %w", err))
			}
		}
		return peak, errors.Join(errs...)
	}
	for range opts.Processes {
		p := exec.CommandContext(ctx, exe, "serve")
		p.Env = append(os.Environ(),
			"DATABASE_URL="+databaseURL,
			"WEBHOOK_URLS=",
			"HOOKRELAY_LISTEN=127.0.0.1:0",
			"HOOKRELAY_ALLOW_PRIVATE_TARGETS=true",
			fmt.Sprintf("HOOKRELAY_CONCURRENCY=%d", c.Concurrency),
			fmt.Sprintf("HOOKRELAY_ENDPOINT_CONCURRENCY=%d", c.EndpointConcurrency),
			fmt.Sprintf("HOOKRELAY_BATCH_SIZE=%d", c.BatchSize),
			"HOOKRELAY_POLL_INTERVAL=100ms",
		)
		p.Stdout, p.Stderr = io.Discard, io.Discard
		if err := p.Start(); err != nil {
			_, _ = stopAll()
			return nil, fmt.Errorf("start worker process: %w", err)
		}
		procs = append(procs, p)
	}
	return stopAll, nil
}

// peakRSSMiB reads a running process's peak resident memory (VmHWM) from
// /proc; it is 0 when that cannot be read.
func peakRSSMiB(pid int) float64 {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kib, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kib / 1024
		}
	}
	return 0
}
