package cli

import (
	"slices"
	"strings"
	"testing"

	"github.com/alecthomas/kong"

	"github.com/hookrelay/hookrelay/internal/config"
)

// TestBenchRejectsBadArguments checks that bad benchmark arguments and
// settings fail before anything is measured, naming what is wrong.
func TestBenchRejectsBadArguments(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unknown scenario", []string{"--scenario", "one,fast"}, nil, `unknown scenario "fast"`},
		{"no publishers", []string{"--publishers", "0"}, nil, "publishers must be positive"},
		{"serve setting out of range", []string{"--concurrency", "0"}, nil, "HOOKRELAY_CONCURRENCY"},
		{"serve setting from the environment", nil, map[string]string{"HOOKRELAY_BATCH_SIZE": "-1"}, "HOOKRELAY_BATCH_SIZE"},
		{"configured endpoints", nil, map[string]string{"WEBHOOK_URLS": "http://ok.example/hook", "WEBHOOK_SECRET": "s3cret-s3cret-s3cret"}, "makes its own endpoints"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			stdout, stderr, code := runCLI(t, append([]string{"bench"}, tt.args...)...)
			if code != 2 || !strings.Contains(stderr, tt.want) || stdout != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit 2 and %q", code, stdout, stderr, tt.want)
			}
		})
	}
}

// TestBenchRunsWithServeSettings checks that the benchmark's workers run
// with serve's defaults, and with a serve setting given to bench when there
// is one, by the settings line of a tiny run.
func TestBenchRunsWithServeSettings(t *testing.T) {
	var tree root
	parser, err := kong.New(&tree, config.Vars())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parser.Parse([]string{"serve"}); err != nil {
		t.Fatal(err)
	}
	serveDefaults, err := config.Environ(tree.Serve.Delivery)
	if err != nil {
		t.Fatal(err)
	}
	wantDefaults := slices.DeleteFunc(serveDefaults, func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return !slices.Contains([]string{"HOOKRELAY_CONCURRENCY", "HOOKRELAY_ENDPOINT_CONCURRENCY", "HOOKRELAY_BATCH_SIZE", "WEBHOOK_TIMEOUT_MS"}, name)
	})
	if len(wantDefaults) != 4 {
		t.Fatalf("serve's settings lack one of the four looked for: %v", serveDefaults)
	}
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{nil, wantDefaults},
		{[]string{"--concurrency", "7", "--batch-size", "3"}, []string{"HOOKRELAY_CONCURRENCY=7 ", "HOOKRELAY_BATCH_SIZE=3 "}},
	} {
		args := append([]string{"bench", "--store", "sqlite", "--scenario", "four", "--deliveries", "8"}, tt.args...)
		stdout, stderr, code := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		settings, _, _ := strings.Cut(stdout[strings.Index(stdout, "settings"):], "\n")
		for _, want := range tt.want {
			if !strings.Contains(settings+" ", want) {
				t.Errorf("%v: settings line lacks %q: %s", args, want, settings)
			}
		}
		if !strings.Contains(stdout, "| four ") {
			t.Errorf("%v: no row for the scenario:\n%s", args, stdout)
		}
	}
}
