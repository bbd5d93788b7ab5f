package bench

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hookrelay/hookrelay/internal/config"
)

// Columns are the table's column headings, each saying what its figure is.
var Columns = []string{
	"scenario", "store", "endpoints", "publishing", "events", "deliveries",
	"publish events/s", "deliveries/s end to end", "p50 publish→arrival", "p99 publish→arrival",
	"arrived while publishing", "CPU s / 1k deliveries", "peak RSS", "duplicates",
}

// Print writes the header (machine, settings in force, load) and one table
// row per result, as a Markdown table aligned for reading; without results
// (a run of the overload scenario alone), the header only.
func Print(w io.Writer, opts Options, results []Result) error {
	fmt.Fprintf(w, "machine: %d cores, GOMAXPROCS %d, %s/%s, %s\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, runtime.Version())
	fmt.Fprintf(w, "settings (serve's defaults unless a flag or the environment set them): %s\n", settingsText(opts.Settings))
	workers := "in process (in-process scenarios); one `hookrelay serve` process (api scenarios)"
	if opts.Processes > 0 {
		workers = fmt.Sprintf("%d `hookrelay serve` processes", opts.Processes)
	}
	slow := ""
	if slices.ContainsFunc(results, func(r Result) bool { return r.Scenario == Slow }) {
		slow = fmt.Sprintf("; slow: %d silent endpoints, %d events at %d/s, attempt timeout %s",
			opts.Slow.Silent, opts.Slow.Events, opts.Slow.Rate, opts.Slow.Timeout)
	}
	fmt.Fprintf(w, "load: %d-byte payloads, %s, %s; workers %s%s\n\n",
		opts.PayloadSize, rateText(opts.Rate), preloadText(opts.Preload), workers, slow)
	if len(results) == 0 {
		return nil
	}

	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	fmt.Fprintf(tw, "| %s\t|\n", strings.Join(Columns, "\t| "))
	fmt.Fprintf(tw, "|%s\n", strings.Repeat(" ---\t|", len(Columns)))
	for _, r := range results {
		during := "-"
		if r.DuringPublish >= 0 {
			during = fmt.Sprintf("%d", r.DuringPublish)
		}
		cells := []string{
			r.Scenario, r.Store, r.Endpoints, r.Publishing, fmt.Sprint(r.Events), fmt.Sprint(r.Deliveries),
			fmt.Sprintf("%.0f", r.PublishRate), fmt.Sprintf("%.0f", r.Throughput), ms(r.P50), ms(r.P99),
			during, fmt.Sprintf("%.3f s", r.CPUPer1k.Seconds()), fmt.Sprintf("%.0f MiB", r.PeakRSSMiB), fmt.Sprint(r.Duplicates),
		}
		fmt.Fprintf(tw, "| %s\t|\n", strings.Join(cells, "\t| "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\ndeliveries: first arrivals counted at the loopback receiver (the slow scenario counts its healthy endpoint only);"+
		"\nend to end: first publish (with --preload, the workers' start) to last arrival; latency from each event's publish call"+
		" (with --preload, from the workers' start); CPU: every hookrelay process of the run, publisher and receiver included,"+
		" PostgreSQL not; peak RSS: the process running the workers.")
	for _, r := range results {
		if r.Note != "" {
			fmt.Fprintf(w, "%s on %s: %s\n", r.Scenario, r.Store, r.Note)
		}
	}
	return nil
}

// settingsText lists the delivery settings that shape throughput and
// latency, with the lease as derived when it is not set.
func settingsText(s config.Delivery) string {
	s.Lease = s.LeaseDuration()
	env, err := config.Environ(s)
	if err != nil {
		return err.Error()
	}
	var kept []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "WEBHOOK_URLS", "WEBHOOK_SECRET", "HOOKRELAY_ALLOW_PRIVATE_TARGETS":
			continue // the benchmark makes its own endpoints, on loopback
		}
		kept = append(kept, shortDuration(kv))
	}
	return strings.Join(kept, " ")
}

// shortDuration drops the zero tails of a NAME=duration setting for
// reading: 1m0s becomes 1m, 72h0m0s becomes 72h.
func shortDuration(kv string) string {
	name, value, _ := strings.Cut(kv, "=")
	if _, err := time.ParseDuration(value); err != nil || !strings.HasSuffix(value, "s") {
		return kv
	}
	if v, ok := strings.CutSuffix(value, "m0s"); ok {
		value = v + "m"
	}
	if v, ok := strings.CutSuffix(value, "h0m"); ok {
		value = v + "h"
	}
	return name + "=" + value
}

func rateText(rate int) string {
	if rate == 0 {
		return "published as fast as possible"
	}
	return fmt.Sprintf("published at %d events/s", rate)
}

func preloadText(preload bool) string {
	if preload {
		return "one, four and many publish everything before the workers start (backlog drain)"
	}
	return "publishing while delivering"
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}
