package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
		{"negative timeout", map[string]string{"WEBHOOK_TIMEOUT_MS": "-5"}, 2, "WEBHOOK_TIMEOUT_MS: must be a positive number"},
		{"timeout not a number", map[string]string{"WEBHOOK_TIMEOUT_MS": "soon"}, 2, "webhook-timeout-ms"},
		{"negative retries", map[string]string{"WEBHOOK_MAX_RETRIES": "-1"}, 2, "WEBHOOK_MAX_RETRIES"},
		{"public listen without token", map[string]string{"HOOKRELAY_LISTEN": "0.0.0.0:8080"}, 2, "HOOKRELAY_API_TOKEN"},
		{"public listen with a short token", map[string]string{"HOOKRELAY_LISTEN": "0.0.0.0:8080", "HOOKRELAY_API_TOKEN": "x"}, 2, "openssl rand -base64 32"},
		{"credentials in WEBHOOK_URLS", map[string]string{"WEBHOOK_URLS": "http://user:secret@ok.example/hook", "WEBHOOK_SECRET": "s3cret-s3cret-s3cret"}, 2, "credentials in the URL are not allowed"},
		{"short WEBHOOK_SECRET", map[string]string{"WEBHOOK_URLS": "http://ok.example/hook", "WEBHOOK_SECRET": "nine-char"}, 2, "WEBHOOK_SECRET: too short"},
		{"unknown database scheme", map[string]string{"DATABASE_URL": "mysql://localhost/db"}, 2, `DATABASE_URL: unsupported scheme "mysql"`},
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
