package e2e

import (
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/storeopen"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestServeWithoutWebhookURLsKeepsConfiguredEndpoints: a `serve` that sets
// no WEBHOOK_URLS (a worker-only process sharing the database) leaves the
// endpoints that another serve's WEBHOOK_URLS configured active, and says so
// in one log line.
func TestServeWithoutWebhookURLsKeepsConfiguredEndpoints(t *testing.T) {
	databaseURL := testdb.PostgresURL(t)
	env := []string{"DATABASE_URL=" + databaseURL, "HOOKRELAY_LISTEN=127.0.0.1:0"}
	configuring := start(t, append(env,
		"WEBHOOK_URLS=http://127.0.0.1:9/a,http://127.0.0.1:9/b",
		"WEBHOOK_SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "serve")
	configuring.listenAddress(t)
	if err := configuring.stop(t); err != nil {
		t.Fatalf("serve with WEBHOOK_URLS: %v", err)
	}

	workerOnly := start(t, append(env, "WEBHOOK_URLS="), "serve")
	workerOnly.listenAddress(t)
	if !workerOnly.logged(`"msg":"WEBHOOK_URLS is not set: the endpoints it configured are left as they are","endpoints":2`) {
		t.Error("serve without WEBHOOK_URLS did not say it left the 2 configured endpoints alone")
	}

	st, err := storeopen.Open(t.Context(), databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	list, err := st.ListEndpoints(t.Context(), store.EndpointFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("endpoints %+v, want the 2 of WEBHOOK_URLS", list)
	}
	for _, e := range list {
		if !e.Active || e.CreatedBy != store.ConfigSource {
			t.Errorf("endpoint %s: active %v, created by %q, reason %q; want active, from config", e.URL, e.Active, e.CreatedBy, e.DisabledReason)
		}
	}
}
