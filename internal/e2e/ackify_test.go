package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestReplacesAckifysWorker follows the README's "Replacing Ackify's webhook
// worker" on a database with today's Ackify CE schema (tenants, forced
// row-level security): `hookrelay migrate` as the owner, then `hookrelay
// serve` as a runtime role in Ackify's tenant with
// HOOKRELAY_SIGNATURE_PROFILE=ackify and an Ackify secret in WEBHOOK_SECRET.
// The row Ackify enqueued and an event published to the WEBHOOK_URLS endpoint
// both arrive in Ackify's wire format, and a receiver that checks them as
// Ackify's do (one signature, compared whole) accepts them.
func TestReplacesAckifysWorker(t *testing.T) {
	const ackifySecret, configSecret = "whsec_my-ackify-secret", "whsec_not-base64-either"
	ctx := t.Context()
	ownerURL := testdb.PostgresURL(t)
	owner, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { owner.Close(ctx) })
	roleURL, role := testdb.PostgresRole(t, owner, ownerURL)
	today := testdb.AckifyVersions[len(testdb.AckifyVersions)-1].Stages
	testdb.BuildAckify(t, owner, role, today)

	// A receiver that accepts only what Ackify's receivers accept.
	type arrival struct {
		path, eventID, body string
		ok                  bool
	}
	arrivals := make(chan arrival, 8)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		secret := ackifySecret
		if r.URL.Path == "/config" {
			secret = configSecret
		}
		mac := hmac.New(sha256.New, []byte(secret))
		fmt.Fprintf(mac, "%s.%s.%s.%s", r.Header.Get("X-Ackify-Timestamp"), r.Header.Get("X-Ackify-Event-Id"), r.Header.Get("X-Ackify-Event"), body)
		sig := r.Header.Values("X-Ackify-Signature")
		ok := len(sig) == 1 && sig[0] == "sha256="+hex.EncodeToString(mac.Sum(nil)) &&
			r.Header.Get("User-Agent") == "Ackify-Webhooks/1.0"
		arrivals <- arrival{r.URL.Path, r.Header.Get("X-Ackify-Event-Id"), string(body), ok}
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(receiver.Close)

	// Ackify's rows: its webhook and a queued delivery, in its tenant.
	const eventID = "5a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b"
	var tenant string
	var deliveryID int64
	err = owner.QueryRow(ctx, `
		WITH hook AS (
			INSERT INTO webhooks (tenant_id, title, target_url, secret, events, created_by)
			SELECT id, 'CRM', $1, $2, ARRAY['signature.created'], 'admin@example.com' FROM instance_metadata
			RETURNING id, tenant_id)
		INSERT INTO webhook_deliveries (tenant_id, webhook_id, event_type, event_id, payload, priority, max_retries, scheduled_for)
		SELECT tenant_id, id, 'signature.created', $3, '{"doc_id":"doc-7","user_email":"ada@example.com","user_name":"Ada"}', 0, 6, now()
		FROM hook
		RETURNING tenant_id::text, id`, receiver.URL+"/ackify", ackifySecret, eventID).Scan(&tenant, &deliveryID)
	if err != nil {
		t.Fatalf("Ackify's rows: %v", err)
	}

	if _, stderr, code := run(t, []string{"DATABASE_URL=" + ownerURL}, "migrate"); code != 0 {
		t.Fatalf("hookrelay migrate on Ackify's database: exit %d: %s", code, stderr)
	}
	testdb.GrantHookrelayTables(t, owner, role)
	serve := start(t, []string{
		"DATABASE_URL=" + testdb.WithPostgresOptions(t, roleURL, "-c app.tenant_id="+tenant),
		"HOOKRELAY_LISTEN=127.0.0.1:0",
		"HOOKRELAY_SIGNATURE_PROFILE=ackify",
		"HOOKRELAY_ALLOW_PRIVATE_TARGETS=true", // Ackify's webhook points at loopback here
		"WEBHOOK_URLS=" + receiver.URL + "/config",
		"WEBHOOK_SECRET=" + configSecret,
	}, "serve")
	base := "http://" + serve.listenAddress(t)

	next := func(what string) arrival {
		t.Helper()
		select {
		case a := <-arrivals:
			if !a.ok {
				t.Fatalf("%s: an Ackify receiver rejects %+v", what, a)
			}
			return a
		case <-time.After(30 * time.Second):
			t.Fatalf("%s: nothing arrived within 30s", what)
			return arrival{}
		}
	}
	if a := next("Ackify's queued delivery"); a.path != "/ackify" || a.eventID != eventID || !strings.Contains(a.body, `"doc_id": "doc-7"`) || strings.Contains(a.body, `"data"`) {
		t.Errorf("got %+v, want Ackify's payload, bare, for event %s", a, eventID)
	}
	waitUntil(t, 30*time.Second, "Ackify's delivery recorded as delivered", func() bool {
		var status string
		err := owner.QueryRow(ctx, `SELECT status FROM webhook_deliveries WHERE id = $1`, deliveryID).Scan(&status)
		return err == nil && status == "delivered"
	})

	resp, err := http.Post(base+"/v1/events", "application/json", strings.NewReader(`{"type":"document.created","data":{"doc_id":"doc-8"}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("publish: %d", resp.StatusCode)
	}
	if a := next("the event sent to WEBHOOK_URLS"); a.path != "/config" || !strings.Contains(a.body, "doc-8") {
		t.Errorf("got %+v, want the published data at /config", a)
	}
}
