package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"

	"github.com/hookrelay/hookrelay/internal/config"
)

// writeSettings writes a settings file in a test folder and returns its path.
func writeSettings(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hookrelay.toml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// unsetEnv removes names from the environment for the test's duration.
func unsetEnv(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		t.Setenv(n, "") // restores the old value when the test ends
		if err := os.Unsetenv(n); err != nil {
			t.Fatal(err)
		}
	}
}

// parseServe parses args as Main does and returns serve's settings.
func parseServe(t *testing.T, args ...string) (serveCmd, error) {
	t.Helper()
	var tree root
	parser, err := kong.New(&tree, config.Vars(), settingsFileOption(), kong.Exit(func(code int) { t.Fatalf("kong exited %d", code) }))
	if err != nil {
		t.Fatal(err)
	}
	_, err = parser.Parse(args)
	return tree.Serve, err
}

func TestSettingsFilePrecedence(t *testing.T) {
	unsetEnv(t, "HOOKRELAY_BATCH_SIZE", "HOOKRELAY_CONCURRENCY", "WEBHOOK_URLS", "WEBHOOK_SECRET",
		"HOOKRELAY_ALLOW_PRIVATE_TARGETS", "HOOKRELAY_LOG_FORMAT")
	path := writeSettings(t, `# every name is an environment variable of serve
HOOKRELAY_CONCURRENCY = 32
HOOKRELAY_ENDPOINT_CONCURRENCY = 4
HOOKRELAY_POLL_INTERVAL = "5s"
WEBHOOK_URLS = "https://a.example/hooks,https://b.example/hooks"
WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
HOOKRELAY_ALLOW_PRIVATE_TARGETS = true
HOOKRELAY_LOG_FORMAT = text
`)
	t.Setenv("HOOKRELAY_ENDPOINT_CONCURRENCY", "8")
	t.Setenv("HOOKRELAY_POLL_INTERVAL", "3s")

	c, err := parseServe(t, "serve", "--config", path, "--poll-interval", "2s")
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"default (nowhere else)", c.BatchSize, 100},
		{"file (no flag, no environment)", c.Concurrency, 32},
		{"environment over file", c.EndpointInFlight, 8},
		{"flag over environment and file", c.PollInterval, 2 * time.Second},
		{"file bool", c.AllowPrivate, true},
		{"file enum", c.LogFormat, "text"},
		{"file literal string", c.EndpointSecret, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s: got %v, want %v", ck.what, ck.got, ck.want)
		}
	}
	if want := []string{"https://a.example/hooks", "https://b.example/hooks"}; !slices.Equal(c.EndpointURLs, want) {
		t.Errorf("file list: got %q, want %q", c.EndpointURLs, want)
	}

	// An environment variable set but empty still wins, as kong reads it.
	t.Setenv("HOOKRELAY_CONCURRENCY", "")
	if _, err := parseServe(t, "serve", "--config", path); err == nil {
		t.Errorf("an empty HOOKRELAY_CONCURRENCY was not read over the file's 32")
	}
}

func TestSettingsFileErrors(t *testing.T) {
	tests := []struct{ name, content, want string }{
		{"unknown name", "HOOKRELAY_CONCURENCY = 3\n", "[HOOKRELAY_CONCURENCY]: not settings of this command"},
		{"a client command's variable", "HOOKRELAY_URL = http://x\n", "[HOOKRELAY_URL]: not settings of this command"},
		{"syntax", "DATABASE_URL\n", "line 1: want NAME = value"},
		{"bad value", "HOOKRELAY_CONCURRENCY = many\n", "many"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			unsetEnv(t, "HOOKRELAY_CONCURRENCY")
			path := writeSettings(t, tt.content)
			_, stderr, code := runCLI(t, "serve", "--config", path)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
		})
	}
	missing := filepath.Join(t.TempDir(), "none.toml")
	if _, stderr, code := runCLI(t, "serve", "--config", missing); code != 2 || !strings.Contains(stderr, "none.toml") {
		t.Errorf("missing file: exit %d, stderr %q", code, stderr)
	}
}
