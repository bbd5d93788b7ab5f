package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// listenAddress waits for serve's start line and returns the address it
// listens on.
func (p *process) listenAddress(t *testing.T) string {
	t.Helper()
	var addr string
	waitUntil(t, 30*time.Second, "serve to listen", func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, line := range p.log {
			var started struct {
				Msg    string `json:"msg"`
				Listen string `json:"listen"`
			}
			if json.Unmarshal([]byte(line), &started) == nil && started.Msg == "hookrelay started" {
				addr = started.Listen
				return true
			}
		}
		return false
	})
	return addr
}

// serveWithToken starts `hookrelay serve` on a SQLite file of its own and a
// free loopback port, its API and dashboard behind token, and returns its
// process and its base URL once it listens.
func serveWithToken(t *testing.T, token string) (*process, string) {
	t.Helper()
	serve := start(t, []string{
		"DATABASE_URL=" + t.TempDir() + "/hookrelay.db",
		"HOOKRELAY_LISTEN=127.0.0.1:0",
		"HOOKRELAY_API_TOKEN=" + token,
	}, "serve")
	return serve, "http://" + serve.listenAddress(t)
}

// TestServeMountsEverything runs `hookrelay serve` with a token and checks
// what it serves: health without the token; the API, metrics and dashboard
// behind it; oversized headers refused.
func TestServeMountsEverything(t *testing.T) {
	const token = "e2e-token-0123456789"
	serve, base := serveWithToken(t, token)

	get := func(path string, header http.Header) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range header {
			req.Header[k] = v
		}
		client := &http.Client{
			Transport:     &http.Transport{DisableKeepAlives: true}, // each request on a connection of its own
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("GET %s: read the answer: %v", path, err)
		}
		return resp.StatusCode, string(body)
	}
	auth := http.Header{"Authorization": {"Bearer " + token}}
	tests := []struct {
		path   string
		header http.Header
		status int
		want   string
	}{
		{"/healthz", nil, 200, "ok"},
		{"/readyz", nil, 200, ""},
		{"/v1/webhooks", nil, 401, "unauthorized"},
		{"/v1/webhooks", auth, 200, `"data"`},
		{"/v1/openapi.json", auth, 200, `"openapi"`},
		{"/metrics", nil, 401, ""},
		{"/metrics", auth, 200, "hookrelay_queue_depth"},
		{"/", nil, 302, ""}, // the dashboard
		{"/ui", nil, 301, ""},
		{"/ui/", nil, 303, ""}, // to the sign-in page
		{"/ui/login", nil, 200, "<form"},
		{"/healthz", http.Header{"X-Big": {strings.Repeat("a", 70<<10)}}, 431, ""},
	}
	if location := redirect(t, base+"/"); location != "/ui/" {
		t.Errorf("GET / redirects to %q, want /ui/", location)
	}
	for _, tt := range tests {
		status, body := get(tt.path, tt.header)
		if status != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("GET %s: %d %.120q; want %d containing %q", tt.path, status, body, tt.status, tt.want)
		}
	}
	if err := serve.stop(t); err != nil {
		t.Errorf("serve after SIGTERM: %v", err)
	}
}

// redirect returns the Location of the redirect that url answers.
func redirect(t *testing.T, url string) string {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.Header.Get("Location")
}

// TestServeLogsItsConcurrencyMode checks that the "hookrelay started" line
// names the per-endpoint concurrency mode and ceiling.
func TestServeLogsItsConcurrencyMode(t *testing.T) {
	for _, c := range []struct {
		adaptive, want string
	}{{"true", "adaptive, at most 7"}, {"false", "fixed 7"}} {
		serve := start(t, []string{
			"DATABASE_URL=" + t.TempDir() + "/hookrelay.db",
			"HOOKRELAY_LISTEN=127.0.0.1:0",
			"HOOKRELAY_ADAPTIVE_CONCURRENCY=" + c.adaptive,
			"HOOKRELAY_ENDPOINT_CONCURRENCY=7",
		}, "serve")
		serve.listenAddress(t)
		serve.mu.Lock()
		var got string
		for _, line := range serve.log {
			var started struct {
				Msg  string `json:"msg"`
				Mode string `json:"endpoint_concurrency"`
			}
			if json.Unmarshal([]byte(line), &started) == nil && started.Msg == "hookrelay started" {
				got = started.Mode
			}
		}
		serve.mu.Unlock()
		if got != c.want {
			t.Errorf("HOOKRELAY_ADAPTIVE_CONCURRENCY=%s: started line has endpoint_concurrency %q, want %q", c.adaptive, got, c.want)
		}
	}
}
