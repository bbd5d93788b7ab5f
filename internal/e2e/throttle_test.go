package e2e

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestServeThrottlesEveryCredentialCheck runs `hookrelay serve` and checks
// that wrong API tokens and dashboard sign-ins from one client share one
// budget: after 5 wrong tokens, even the right one at the sign-in page gets
// 429 with Retry-After.
func TestServeThrottlesEveryCredentialCheck(t *testing.T) {
	const token = "e2e-token-0123456789-0123456789-01"
	serve, base := serveWithToken(t, token)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(req *http.Request) (*http.Response, string) {
		t.Helper()
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, string(body)
	}

	for i := range 5 {
		req, _ := http.NewRequest(http.MethodGet, base+"/v1/webhooks", nil)
		req.Header.Set("Authorization", "Bearer guess")
		if resp, body := do(req); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d %s, want 401", i+1, resp.StatusCode, body)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/ui/login", nil)
	_, page := do(req)
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token on the sign-in page:\n%s", page)
	}
	form := url.Values{"token": {token}, "csrf": {m[1]}}
	req, _ = http.NewRequest(http.MethodPost, base+"/ui/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, body := do(req)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("sign-in with the right token after 5 wrong API tokens: %d (Retry-After %q), want 429\n%.300s",
			resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if err := serve.stop(t); err != nil {
		t.Errorf("serve after SIGTERM: %v", err)
	}
}
