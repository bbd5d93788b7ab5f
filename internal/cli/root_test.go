package cli

import (
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/delivery"
)

// TestNoArgumentsPrintsUsage checks that `hookrelay` alone prints the usage,
// every command listed, on stdout and exits 0, as --help does.
func TestNoArgumentsPrintsUsage(t *testing.T) {
	stdout, stderr, code := runCLI(t)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q; want exit 0 and nothing on stderr", code, stderr)
	}
	for _, want := range []string{"Usage: hookrelay <command>", "serve", "listen", "publish", "--version"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("usage lacks %q:\n%s", want, stdout)
		}
	}
	help, _, _ := runCLI(t, "--help")
	if help != stdout {
		t.Errorf("the usage without arguments differs from --help:\n%s\nvs\n%s", stdout, help)
	}
}

// TestVersionFlag checks that --version prints what `hookrelay version` prints.
func TestVersionFlag(t *testing.T) {
	want := "hookrelay " + delivery.Version + "\n"
	for _, args := range [][]string{{"--version"}, {"version"}} {
		stdout, stderr, code := runCLI(t, args...)
		if code != 0 || stdout != want || stderr != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 0 and %q", args, code, stdout, stderr, want)
		}
	}
}

// TestServeHelpNamesTheTracingVariables: `serve --help` says that tracing
// is configured by the OTEL_* variables, which are no flags.
func TestServeHelpNamesTheTracingVariables(t *testing.T) {
	stdout, stderr, code := runCLI(t, "serve", "--help")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "Tracing (OpenTelemetry)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("serve --help lacks %q:\n%s", want, stdout)
		}
	}
}
