package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/api"
	"github.com/hookrelay/hookrelay/internal/cli"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

// cliToken is the API token of the test servers.
const cliToken = "cli-test-token-0123"

// cliServer is a real API server on loopback that CLI commands talk to.
type cliServer struct {
	t     *testing.T
	url   string
	store store.Store
}

func newCLIServer(t *testing.T) *cliServer {
	t.Helper()
	return newCLIServerOn(t, testenv.NewSQLite(t))
}

// newCLIServerOn is newCLIServer on st.
func newCLIServerOn(t *testing.T, st store.Store) *cliServer {
	t.Helper()
	srv := httptest.NewServer(api.New(api.Options{Store: st, Token: cliToken, DefaultMaxRetries: 2, AllowPrivateTargets: true}))
	t.Cleanup(srv.Close)
	return &cliServer{t: t, url: srv.URL, store: st}
}

// result is what one run of the CLI printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// run runs the CLI against the server with args, the server's URL and token
// appended as flags.
func (s *cliServer) run(args ...string) result {
	s.t.Helper()
	return runCLI(append(args, "--server", s.url, "--api-token", cliToken)...)
}

// ok runs the CLI and fails the test unless it exits 0.
func (s *cliServer) ok(args ...string) string {
	s.t.Helper()
	r := s.run(args...)
	if r.code != 0 {
		s.t.Fatalf("hookrelay %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// okJSON runs the CLI with --json and decodes what it printed into out.
func (s *cliServer) okJSON(out any, args ...string) {
	s.t.Helper()
	raw := s.ok(append(args, "--json")...)
	if err := json.Unmarshal([]byte(raw), out); err != nil {
		s.t.Fatalf("hookrelay %s --json printed %q: %v", strings.Join(args, " "), raw, err)
	}
}

// fails runs the CLI and checks that it exits code with stderr holding want.
func (s *cliServer) fails(code int, want string, args ...string) {
	s.t.Helper()
	checkFails(s.t, s.run(args...), code, want, args)
}

func checkFails(t *testing.T, r result, code int, want string, args []string) {
	t.Helper()
	if r.code != code || !strings.Contains(r.stderr, want) {
		t.Errorf("hookrelay %s: exit %d, stderr %q; want exit %d and %q", strings.Join(args, " "), r.code, r.stderr, code, want)
	}
}

func runCLI(args ...string) result {
	var stdout, stderr bytes.Buffer
	code := cli.Main(context.Background(), args, &stdout, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// wantLines checks that out holds each of the wanted fragments.
func wantLines(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("%s: output lacks %q:\n%s", what, w, out)
		}
	}
}

func TestCLIReadsServerAndTokenFromEnvironment(t *testing.T) {
	s := newCLIServer(t)
	t.Setenv("HOOKRELAY_URL", s.url)
	t.Setenv("HOOKRELAY_API_TOKEN", cliToken)
	if r := runCLI("webhooks", "list"); r.code != 0 || !strings.Contains(r.stdout, "ID") {
		t.Fatalf("webhooks list with the environment: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	t.Setenv("HOOKRELAY_API_TOKEN", "wrong")
	checkFails(t, runCLI("webhooks", "list"), 1, "HOOKRELAY_API_TOKEN", []string{"webhooks", "list"})
}

func TestCLIErrors(t *testing.T) {
	s := newCLIServer(t)
	s.fails(1, "webhook 42 not found", "webhooks", "get", "42")
	s.fails(1, "url: ", "webhooks", "add", "--url", "ftp://x")
	s.fails(2, "", "webhooks", "get", "abc")
	s.fails(2, "", "webhooks", "frobnicate")
	s.fails(2, "--header", "webhooks", "add", "--url", "http://127.0.0.1/", "--header", "no-colon")
	s.fails(2, "nothing to change", "webhooks", "update", "1")
	s.fails(2, "--data", "events", "publish", "--type", "a", "--data", "{")
	s.fails(2, "--created-after", "deliveries", "list", "--created-after", "yesterday")
	s.fails(2, "", "deliveries", "list", "--status", "lost")
	unreachable := []string{"webhooks", "list", "--server", "http://127.0.0.1:1"}
	checkFails(t, runCLI(unreachable...), 1, "cannot reach hookrelay at http://127.0.0.1:1", unreachable)
	badURL := []string{"webhooks", "list", "--server", "localhost:8080"}
	checkFails(t, runCLI(badURL...), 2, "HOOKRELAY_URL", badURL)
}
