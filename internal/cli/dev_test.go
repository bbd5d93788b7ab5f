package cli

import (
	"testing"
	"time"

	"github.com/alecthomas/kong"

	"github.com/hookrelay/hookrelay/internal/config"
)

// serveSettings parses `hookrelay serve args…` as Main does and returns the
// settings serve would run with, development mode applied.
func serveSettings(t *testing.T, args ...string) config.Serve {
	t.Helper()
	var tree root
	parser, err := kong.New(&tree, kong.Vars{"version": "test"}, config.Vars())
	if err != nil {
		t.Fatal(err)
	}
	kctx, err := parser.Parse(append([]string{"serve"}, args...))
	if err != nil {
		t.Fatal(err)
	}
	tree.Serve.ApplyDev(explicitSettings(kctx))
	return tree.Serve.Serve
}

// TestDevModeDefaults checks that --dev and HOOKRELAY_DEV change the
// defaults of private targets, log format and retry delays, and that a
// setting given by flag or environment keeps its value; and that the
// backoff cap follows a larger base unless given, as in the library.
func TestDevModeDefaults(t *testing.T) {
	type want struct {
		private             bool
		format              string
		base, cap, retryCap time.Duration
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want want
	}{
		{"production", nil, nil, want{false, "json", time.Minute, time.Hour, time.Hour}},
		{"--dev", nil, []string{"--dev"}, want{true, "text", time.Second, 30 * time.Second, 30 * time.Second}},
		{"HOOKRELAY_DEV", map[string]string{"HOOKRELAY_DEV": "true"}, nil, want{true, "text", time.Second, 30 * time.Second, 30 * time.Second}},
		{"explicit flags win", nil, []string{"--dev", "--backoff-base", "5s", "--log-format", "json"},
			want{true, "json", 5 * time.Second, 30 * time.Second, 30 * time.Second}},
		{"explicit environment wins", map[string]string{"HOOKRELAY_DEV": "1", "HOOKRELAY_BACKOFF_CAP": "2m", "HOOKRELAY_ALLOW_PRIVATE_TARGETS": "false"}, nil,
			want{false, "text", time.Second, 2 * time.Minute, 30 * time.Second}},
		// As in the library, a cap not given follows a larger base.
		{"a base above the default cap lifts it", map[string]string{"HOOKRELAY_BACKOFF_BASE": "2h"}, nil,
			want{false, "json", 2 * time.Hour, 2 * time.Hour, time.Hour}},
		{"a base above the development cap lifts it", nil, []string{"--dev", "--backoff-base", "2h"},
			want{true, "text", 2 * time.Hour, 2 * time.Hour, 30 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			s := serveSettings(t, tt.args...)
			got := want{s.AllowPrivate, s.LogFormat, s.BackoffBase, s.BackoffCeiling(), s.RetryAfterCap}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if err := s.Validate(); err != nil {
				t.Errorf("settings do not validate: %v", err)
			}
		})
	}
}
