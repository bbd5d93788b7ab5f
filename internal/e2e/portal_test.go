package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
)

// TestServeMountsThePortal runs `hookrelay serve` with the portal's
// settings and opens a portal link from the API: the link enters once, the
// settings reach the pages (title, frame ancestors), a bad colour stops
// serve with exit 2 naming its variable, and the log never holds the token.
func TestServeMountsThePortal(t *testing.T) {
	const token = "e2e-token-0123456789"
	serve := start(t, []string{
		"DATABASE_URL=" + t.TempDir() + "/hookrelay.db",
		"HOOKRELAY_LISTEN=127.0.0.1:0",
		"HOOKRELAY_API_TOKEN=" + token,
		"HOOKRELAY_LOG_LEVEL=debug",
		"HOOKRELAY_PORTAL_TITLE=Acme Webhooks",
		"HOOKRELAY_PORTAL_FRAME_ANCESTORS=https://app.example.com",
	}, "serve")
	base := "http://" + serve.listenAddress(t)

	req, err := http.NewRequest(http.MethodPost, base+"/v1/portal-sessions", strings.NewReader(`{"tenant_id":"acme"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var link struct {
		URL string `json:"url"`
	}
	err = json.NewDecoder(resp.Body).Decode(&link)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusCreated || !strings.HasPrefix(link.URL, base+"/portal/enter/") {
		t.Fatalf("POST /v1/portal-sessions: %d %+v (%v)", resp.StatusCode, link, err)
	}

	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Jar: jar}
	resp, err = browser.Get(link.URL)
	if err != nil {
		t.Fatal(err)
	}
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "<title>Endpoints · Acme Webhooks</title>") {
		t.Errorf("the link led to %s: %d\n%s", resp.Request.URL, resp.StatusCode, page)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self' https://app.example.com;") {
		t.Errorf("CSP %q, want HOOKRELAY_PORTAL_FRAME_ANCESTORS in frame-ancestors", csp)
	}
	resp, err = http.Get(link.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusGone {
		t.Errorf("the link's second use: %d, want 410", resp.StatusCode)
	}
	tokenPart := strings.TrimPrefix(link.URL, base+"/portal/enter/")
	if serve.logged(tokenPart) {
		t.Error("the log holds the link's token")
	}
	if err := serve.stop(t); err != nil {
		t.Errorf("serve after SIGTERM: %v", err)
	}

	_, stderr, code := run(t, []string{"DATABASE_URL=" + t.TempDir() + "/other.db", "HOOKRELAY_PORTAL_COLOR=red"}, "serve")
	if code != 2 || !strings.Contains(stderr, "HOOKRELAY_PORTAL_COLOR") {
		t.Errorf("serve with a bad portal colour: exit %d, %q; want 2 naming HOOKRELAY_PORTAL_COLOR", code, stderr)
	}
}
