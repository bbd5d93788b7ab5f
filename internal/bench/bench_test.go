package bench_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/alecthomas/kong"

	"github.com/hookrelay/hookrelay/internal/bench"
	"github.com/hookrelay/hookrelay/internal/cli"
	"github.com/hookrelay/hookrelay/internal/config"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// childEnv marks a run of this test binary as the `hookrelay serve` process
// that the api scenarios start: the benchmark starts its own executable, and
// here that is the test binary.
const childEnv = "HOOKRELAY_BENCH_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	_ = os.Setenv(childEnv, "1") // inherited by the serve processes the benchmark starts
	os.Exit(m.Run())
}

// serveDefaults reads serve's delivery settings the way the CLI does: from
// config.Delivery's tags, with no flag given.
func serveDefaults(t *testing.T) config.Delivery {
	t.Helper()
	var flags struct {
		config.Delivery `embed:""`
	}
	parser, err := kong.New(&flags, config.Vars())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parser.Parse(nil); err != nil {
		t.Fatal(err)
	}
	return flags.Delivery
}

// TestEveryScenarioFillsTheTable runs every scenario on a few events per
// store, then checks each figure and the printed table.
func TestEveryScenarioFillsTheTable(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	opts := bench.Options{
		Settings: serveDefaults(t), Deliveries: 20, ManyEndpoints: 5, OrderingKeys: 3, APIEndpoints: 2,
		PayloadSize: 256, Publishers: 4, BatchEvents: 3, Timeout: time.Minute, ServeCommand: []string{exe},
		Slow: bench.SlowOptions{Silent: 2, Events: 10, Rate: 100, Timeout: 500 * time.Millisecond},
	}
	if err := opts.Validate(); err != nil {
		t.Fatal(err)
	}
	wantEvents := map[string]int{bench.One: 20, bench.Four: 5, bench.Many: 4, bench.Ordered: 20, bench.Slow: 10, bench.API: 10, bench.APIBatch: 10}
	postgresURL := os.Getenv(testdb.PostgresURLEnv)
	if postgresURL == "" {
		postgresURL = testdb.DefaultPostgresURL
	}
	for _, target := range []bench.Target{bench.SQLiteTarget(), bench.PostgresTarget(postgresURL)} {
		t.Run(target.Name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			var results []bench.Result
			for _, name := range bench.Scenarios {
				res, err := bench.Run(ctx, target, name, opts)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				results = append(results, res)
			}
			preload := opts
			preload.Preload = true
			res, err := bench.Run(ctx, target, bench.Four, preload)
			if err != nil {
				t.Fatalf("four with preload: %v", err)
			}
			results = append(results, res)

			for i, r := range results {
				if r.Events != wantEvents[r.Scenario] || r.Deliveries != r.Expected || r.Expected == 0 {
					t.Errorf("%s: %d events, %d of %d deliveries; want %d events and every delivery",
						r.Scenario, r.Events, r.Deliveries, r.Expected, wantEvents[r.Scenario])
				}
				if r.PublishRate <= 0 || r.Throughput <= 0 || r.P50 <= 0 || r.P99 < r.P50 || r.CPUPer1k <= 0 || r.PeakRSSMiB <= 0 {
					t.Errorf("%s: a figure is missing: %+v", r.Scenario, r)
				}
				preloaded := i == len(results)-1
				if (r.DuringPublish < 0) != preloaded || r.DuringPublish > r.Deliveries {
					t.Errorf("%s: %d arrived while publishing (preload %t)", r.Scenario, r.DuringPublish, preloaded)
				}
				if r.Duplicates != 0 {
					t.Errorf("%s: %d duplicate deliveries", r.Scenario, r.Duplicates)
				}
			}
			checkTable(t, opts, results)
		})
	}
}

// checkTable prints results and checks the header and one row per result,
// with the right counts and no zero where a figure must be.
func checkTable(t *testing.T, opts bench.Options, results []bench.Result) {
	t.Helper()
	var out bytes.Buffer
	if err := bench.Print(&out, opts, results); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"GOMAXPROCS", "HOOKRELAY_CONCURRENCY=", "HOOKRELAY_ENDPOINT_CONCURRENCY=", "WEBHOOK_TIMEOUT_MS="} {
		if !strings.Contains(text, want) {
			t.Errorf("header lacks %s:\n%s", want, text)
		}
	}
	var rows [][]string
	for line := range strings.SplitSeq(text, "\n") {
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| ---") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows = append(rows, cells)
	}
	if len(rows) != len(results)+1 || !slices.Equal(rows[0], bench.Columns) {
		t.Fatalf("want the heading and %d rows, got:\n%s", len(results), text)
	}
	col := func(name string) int { return slices.Index(bench.Columns, name) }
	zero := map[string]bool{"0": true, "0.0 ms": true, "0.000 s": true, "0 MiB": true}
	for i, r := range results {
		row := rows[i+1]
		if row[col("scenario")] != r.Scenario || row[col("deliveries")] != fmt.Sprint(r.Expected) {
			t.Errorf("row %d: %q, want %s with %d deliveries", i, row, r.Scenario, r.Expected)
		}
		for _, name := range []string{"publish events/s", "deliveries/s end to end", "p50 publish→arrival", "p99 publish→arrival", "CPU s / 1k deliveries", "peak RSS"} {
			if zero[row[col(name)]] || row[col(name)] == "" {
				t.Errorf("row %d (%s): %s is %q", i, r.Scenario, name, row[col(name)])
			}
		}
	}
	if t.Failed() {
		t.Log(text)
	}
}

// TestOverloadMeasuresBothModes runs the overload scenario briefly on SQLite
// and checks that each mode has its figures, with fixed limits at the
// ceiling and adaptive ones below it, and the table.
func TestOverloadMeasuresBothModes(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	opts := bench.Options{
		Settings: serveDefaults(t), Deliveries: 1, ManyEndpoints: 1, APIEndpoints: 1, PayloadSize: 256, Publishers: 4,
		BatchEvents: 1, Timeout: time.Minute, ServeCommand: []string{exe},
		Slow:     bench.SlowOptions{Silent: 1, Events: 1, Rate: 1, Timeout: time.Second},
		Overload: bench.OverloadOptions{Duration: 2 * time.Second, Events: 300, Timeout: 250 * time.Millisecond, Base: 20 * time.Millisecond, Knee: 4},
	}
	if names, err := bench.ParseScenarios("all," + bench.Overload); err != nil || !slices.Contains(names, bench.Overload) {
		t.Fatalf("ParseScenarios: %v, %v", names, err)
	}
	if names, _ := bench.ParseScenarios("all"); slices.Contains(names, bench.Overload) {
		t.Fatal("all runs overload")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	results, err := bench.RunOverload(ctx, bench.SQLiteTarget(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 || results[0].Mode != "adaptive" || results[1].Mode != "fixed" {
		t.Fatalf("results %+v, want adaptive then fixed", results)
	}
	ceiling := float64(opts.Settings.EndpointInFlight)
	for _, r := range results {
		if r.Requests == 0 || r.MeanLimit <= 0 || r.Note != "" {
			t.Errorf("%s: a figure is missing: %+v", r.Mode, r)
		}
	}
	if r := results[0]; r.Delivered == 0 || r.Goodput <= 0 || r.P50 <= 0 {
		t.Errorf("adaptive: nothing delivered: %+v", r)
	}
	if results[1].MeanLimit != ceiling || results[0].MeanLimit >= ceiling {
		t.Errorf("mean limits %.1f (adaptive) and %.1f (fixed), want the fixed one at the ceiling %.0f and the adaptive one below",
			results[0].MeanLimit, results[1].MeanLimit, ceiling)
	}
	var out bytes.Buffer
	if err := bench.PrintOverload(&out, opts, results); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| sqlite | adaptive ", "| sqlite | fixed ", "goodput deliveries/s"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}
