package e2e

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestServeStartsOnAReadOnlyDatabase runs `hookrelay serve` on a migrated
// PostgreSQL database whose sessions are read-only: it starts (the sync of
// WEBHOOK_URLS waits for writes), /readyz fails and publishes answer 503
// store_unavailable, rather than refusing to start with an error that blames
// a setting.
func TestServeStartsOnAReadOnlyDatabase(t *testing.T) {
	databaseURL := testdb.PostgresURL(t)
	if _, stderr, code := run(t, []string{"DATABASE_URL=" + databaseURL}, "migrate"); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}
	u, err := url.Parse(databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("default_transaction_read_only", "on")
	u.RawQuery = q.Encode()
	serve := start(t, []string{"DATABASE_URL=" + u.String(), "HOOKRELAY_LISTEN=127.0.0.1:0",
		"WEBHOOK_URLS=https://example.com/hooks", "WEBHOOK_SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}, "serve")
	base := "http://" + serve.listenAddress(t)
	if !serve.logged("the database takes no writes") {
		t.Error("serve did not say that the database takes no writes")
	}
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz: %d, want 503", resp.StatusCode)
	}
	resp, err = http.Post(base+"/v1/events", "application/json", strings.NewReader(`{"type":"document.created","data":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "store_unavailable") {
		t.Errorf("publish: %d %s, want 503 store_unavailable", resp.StatusCode, body)
	}
}
