package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/app"
	"github.com/hookrelay/hookrelay/internal/config"
	"github.com/hookrelay/hookrelay/internal/store"
)

// runCLI runs the command line in-process and returns its output and exit code.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	code = Main(ctx, args, &out, &errOut)
	return out.String(), errOut.String(), code
}

func TestServeRejectsBadSettings(t *testing.T) {
	db := filepath.Join(t.TempDir(), "hookrelay.db")
	tests := []struct {
		name     string
		env      map[string]string
		wantCode int
		want     string
	}{
		{"malformed URL", map[string]string{"WEBHOOK_URLS": "http://ok.example/hook,ftp://files.example", "WEBHOOK_SECRET": "s3cret-s3cret"}, 2, `WEBHOOK_URLS: entry 2 "ftp://files.example": scheme must be http or https`},
		{"URL without host", map[string]string{"WEBHOOK_URLS": "http://", "WEBHOOK_SECRET": "s3cret-s3cret"}, 2, "WEBHOOK_URLS"},
		{"URLs without secret", map[string]string{"WEBHOOK_URLS": "http://ok.example/hook"}, 2, "WEBHOOK_SECRET: required"},
		{"negative timeout", map[string]string{"WEBHOOK_TIMEOUT_MS": "-5"}, 2, "WEBHOOK_TIMEOUT_MS: must be positive, got -5"},
		{"timeout not a number", map[string]string{"WEBHOOK_TIMEOUT_MS": "soon"}, 2, "webhook-timeout-ms"},
		{"negative retries", map[string]string{"WEBHOOK_MAX_RETRIES": "-1"}, 2, "WEBHOOK_MAX_RETRIES"},
		{"public listen without token", map[string]string{"HOOKRELAY_LISTEN": "0.0.0.0:8080"}, 2, "HOOKRELAY_API_TOKEN"},
		{"public listen with a short token", map[string]string{"HOOKRELAY_LISTEN": "0.0.0.0:8080", "HOOKRELAY_API_TOKEN": "x"}, 2, "openssl rand -base64 32"},
		{"credentials in WEBHOOK_URLS", map[string]string{"WEBHOOK_URLS": "http://user:secret@ok.example/hook", "WEBHOOK_SECRET": "s3cret-s3cret-s3cret"}, 2, "credentials in the URL are not allowed"},
		{"short WEBHOOK_SECRET", map[string]string{"WEBHOOK_URLS": "http://ok.example/hook", "WEBHOOK_SECRET": "nine-char"}, 2, "WEBHOOK_SECRET: too short"},
		{"unknown database scheme", map[string]string{"DATABASE_URL": "mysql://localhost/db"}, 2, `DATABASE_URL: unsupported scheme "mysql"`},
		{"misspelt scheme with a password", map[string]string{"DATABASE_URL": "postgress://u:secret@localhost/db"}, 2, `postgress://u:xxxxx@localhost/db`},
		{"scheme without slashes with a password", map[string]string{"DATABASE_URL": "postgres:u:secret@host/db"}, 2, `postgres:u:xxxxx@host/db`},
		{"huge timeout", map[string]string{"WEBHOOK_TIMEOUT_MS": "9223372036854775807"}, 2, "WEBHOOK_TIMEOUT_MS: must be at most 3600000"},
		{"unreachable database", map[string]string{"DATABASE_URL": "postgres://postgres:secret@127.0.0.1:1/hookrelay?connect_timeout=2"}, 1, "DATABASE_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("DATABASE_URL", db)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			_, stderr, code := runCLI(t, "serve")
			if code != tt.wantCode || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", code, stderr, tt.wantCode, tt.want)
			}
			if strings.Contains(stderr, "secret@") {
				t.Errorf("a password leaked into the message: %q", stderr)
			}
		})
	}
}

// TestServeNamesEachBadSettingByItsVariable: every setting that serve
// hands to the library (hookrelay.Config) is still refused at start with
// exit code 2 and a message that starts with its environment variable.
func TestServeNamesEachBadSettingByItsVariable(t *testing.T) {
	db := filepath.Join(t.TempDir(), "hookrelay.db")
	for _, tt := range []struct{ env, value, want string }{
		{"WEBHOOK_TIMEOUT_MS", "0", "must be positive, got 0"},
		{"WEBHOOK_MAX_RETRIES", "36", "must be at most 35"},
		{"WEBHOOK_MAX_RETRIES", "-1", "must not be negative"},
		{"HOOKRELAY_BACKOFF_BASE", "0s", "must be positive"},
		{"HOOKRELAY_BACKOFF_CAP", "1s", "must be at least the backoff base (1m0s)"},
		{"HOOKRELAY_RETRY_AFTER_CAP", "0", "must be positive, got 0s"},
		{"HOOKRELAY_CONCURRENCY", "0", "must be positive"},
		{"HOOKRELAY_ENDPOINT_CONCURRENCY", "0", "must be positive"},
		{"HOOKRELAY_BATCH_SIZE", "0", "must be positive"},
		{"HOOKRELAY_CONCURRENCY", "1099511627776", "must be at most 10000"},
		{"HOOKRELAY_ENDPOINT_CONCURRENCY", "9223372036854775807", "must be at most 10000"},
		{"HOOKRELAY_BATCH_SIZE", "9223372036854775807", "must be at most 10000"},
		{"HOOKRELAY_POLL_INTERVAL", "0s", "must be positive"},
		{"HOOKRELAY_LEASE", "5s", "must be longer than the timeout (10s)"},
		{"HOOKRELAY_LEASE", "-5s", "must not be negative"},
		{"HOOKRELAY_SHUTDOWN_TIMEOUT", "-1s", "must not be negative"},
		{"HOOKRELAY_DISABLE_AFTER_FAILURES", "-1", "must not be negative"},
		{"HOOKRELAY_DISABLE_AFTER_FAILING_FOR", "-1h", "must not be negative"},
		{"HOOKRELAY_RETENTION", "-1h", "must not be negative"},
		{"HOOKRELAY_SECRET_ROTATION_WINDOW", "-1h", "must not be negative"},
		{"HOOKRELAY_ENCRYPTION_KEY", "short", "must be 32 bytes"},
	} {
		t.Run(tt.env+"="+tt.value, func(t *testing.T) {
			t.Setenv("DATABASE_URL", db)
			t.Setenv(tt.env, tt.value)
			_, stderr, code := runCLI(t, "serve")
			if want := tt.env + ": " + tt.want; code != 2 || !strings.Contains(stderr, want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want exit 2 and one line with %q", code, stderr, want)
			}
		})
	}
}

// TestServeNamesTheMissingKey: serve without HOOKRELAY_ENCRYPTION_KEY, or
// with a wrong one, on a database whose secrets are encrypted stops, naming
// the variable (the library's error names its Config field).
func TestServeNamesTheMissingKey(t *testing.T) {
	db := filepath.Join(t.TempDir(), "hookrelay.db")
	t.Setenv("DATABASE_URL", db)
	t.Setenv("HOOKRELAY_ENCRYPTION_KEY", strings.Repeat("ab", 32))
	if _, stderr, code := runCLI(t, "migrate"); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}
	st, err := app.OpenExistingStore(t.Context(), config.Database{DatabaseURL: db, EncryptionKey: strings.Repeat("ab", 32)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateEndpoint(t.Context(), store.Endpoint{URL: "https://example.com/h", Secret: "s3cret-s3cret-s3cret", Active: true}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	os.Unsetenv("HOOKRELAY_ENCRYPTION_KEY")
	_, stderr, code := runCLI(t, "serve")
	if code != 1 || !strings.Contains(stderr, "HOOKRELAY_ENCRYPTION_KEY: endpoint values are encrypted at rest, and no encryption key is set") {
		t.Errorf("exit %d, stderr %q; want exit 1 naming HOOKRELAY_ENCRYPTION_KEY", code, stderr)
	}
	// A well-formed key that is not the one that sealed them is refused
	// the same way, before serve writes anything with it.
	t.Setenv("HOOKRELAY_ENCRYPTION_KEY", strings.Repeat("cd", 32))
	_, stderr, code = runCLI(t, "serve")
	if code != 1 || !strings.Contains(stderr, "HOOKRELAY_ENCRYPTION_KEY: the database's encrypted values were sealed with another key") {
		t.Errorf("wrong key: exit %d, stderr %q; want exit 1 naming HOOKRELAY_ENCRYPTION_KEY", code, stderr)
	}
	// So is the one-shot publish, which writes to the database directly.
	_, stderr, code = runCLI(t, "publish", "--type", "a.b")
	if code == 0 || !strings.Contains(stderr, "HOOKRELAY_ENCRYPTION_KEY: the database's encrypted values were sealed with another key") {
		t.Errorf("publish with a wrong key: exit %d, stderr %q; want it refused naming HOOKRELAY_ENCRYPTION_KEY", code, stderr)
	}
}

// TestOneShotCommandsCheckTheKeyFirst: migrate and publish refuse a bad
// HOOKRELAY_ENCRYPTION_KEY as a bad setting (exit 2), before they open, or
// create, the database.
func TestOneShotCommandsCheckTheKeyFirst(t *testing.T) {
	db := filepath.Join(t.TempDir(), "hookrelay.db")
	t.Setenv("DATABASE_URL", db)
	t.Setenv("HOOKRELAY_ENCRYPTION_KEY", "short")
	for _, args := range [][]string{{"migrate"}, {"publish", "--type", "a.b"}} {
		if _, stderr, code := runCLI(t, args...); code != 2 || !strings.Contains(stderr, "HOOKRELAY_ENCRYPTION_KEY: must be 32 bytes") {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 naming HOOKRELAY_ENCRYPTION_KEY", args, code, stderr)
		}
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("the database was created (%v)", err)
	}
}

// TestServeRefusesBadTracingSettings: an OTEL_* value that the SDK would
// crash on, or replace silently, stops serve with exit code 2 and one line
// naming the variable, without the OTLP headers.
func TestServeRefusesBadTracingSettings(t *testing.T) {
	db := filepath.Join(t.TempDir(), "hookrelay.db")
	for _, tt := range []struct{ env, value string }{
		{"OTEL_BSP_MAX_QUEUE_SIZE", "-1"},
		{"OTEL_BSP_SCHEDULE_DELAY", "0"},
		{"OTEL_TRACES_SAMPLER", "nonsense"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "127.0.0.1:4318"},
	} {
		t.Run(tt.env+"="+tt.value, func(t *testing.T) {
			t.Setenv("DATABASE_URL", db)
			t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1")
			t.Setenv("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=s3cr3t")
			t.Setenv(tt.env, tt.value)
			_, stderr, code := runCLI(t, "serve")
			if code != 2 || !strings.Contains(stderr, tt.env+": ") || strings.Count(stderr, "\n") != 1 || strings.Contains(stderr, "s3cr3t") {
				t.Errorf("exit %d, stderr %q; want exit 2 and one line naming %s", code, stderr, tt.env)
			}
		})
	}
}
