package cli_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/store"
)

func TestCLIDeliveries(t *testing.T) {
	s := newCLIServer(t)
	s.ok("webhooks", "add", "--url", "http://127.0.0.1:9/a")
	s.ok("events", "publish", "--type", "document.created")
	s.ok("events", "publish", "--type", "signature.created")

	var page wire.DeliveryList
	s.okJSON(&page, "deliveries", "list")
	if len(page.Data) != 2 {
		t.Fatalf("list = %+v", page)
	}
	newest, oldest := fmt.Sprint(page.Data[0].ID), fmt.Sprint(page.Data[1].ID)
	out := s.ok("deliveries", "list", "--event-type", "signature.created")
	wantLines(t, "list", out, "ID", "ENDPOINT", "STATUS", "signature.created", "pending")
	if strings.Contains(out, "WEBHOOK") {
		t.Errorf("list says WEBHOOK where get says Endpoint:\n%s", out)
	}

	if out := s.ok("deliveries", "cancel", newest); out != "delivery "+newest+" is cancelled\n" {
		t.Errorf("cancel printed %q; want the new status and no due time", out)
	}
	s.fails(1, "only pending or processing", "deliveries", "cancel", newest)
	wantLines(t, "retry", s.ok("deliveries", "retry", newest), "delivery "+newest+" is pending")
	s.ok("deliveries", "cancel", newest)
	wantLines(t, "list --status", s.ok("deliveries", "list", "--status", "cancelled"), "cancelled", "signature.created")

	failOne(t, s.store)
	out = s.ok("deliveries", "get", oldest)
	wantLines(t, "get", out, "Status:", "failed", "Attempts:       1 of at most 3", "ATTEMPT", "503", "upstream down")
	var failed wire.DeliveryDetail
	s.okJSON(&failed, "deliveries", "get", oldest)
	if failed.AttemptCount != 1 || len(failed.Attempts) != 1 || failed.NextRetryAt != nil {
		t.Errorf("failed delivery: attempt_count %d, %d attempts, next_retry_at %v; want 1, 1 and null",
			failed.AttemptCount, len(failed.Attempts), failed.NextRetryAt)
	}
	wantLines(t, "list attempts", s.ok("deliveries", "list", "--status", "failed"), "ATTEMPTS", " 1/3 ")

	wantLines(t, "replay", s.ok("deliveries", "replay", "--event-type", "document.created",
		"--created-after", time.Now().Add(-time.Hour).Format(time.RFC3339)), "replayed 1 delivery\n")
	s.fails(2, "or --all", "deliveries", "replay")
	s.fails(2, "--all cannot be used with a filter", "deliveries", "replay", "--all", "--webhook", "1")
	wantLines(t, "replay all", s.ok("deliveries", "replay", "--all"), "replayed 1 delivery\n") // the cancelled one
	wantLines(t, "replay none", s.ok("deliveries", "replay", "--all"), "replayed 0 deliveries\n")
	s.fails(1, "delivery 999 not found", "deliveries", "get", "999")
}

// failOne claims the one due delivery and records a final failed attempt.
func failOne(t *testing.T, st store.Store) {
	t.Helper()
	ctx := context.Background()
	claimed, err := st.Claim(ctx, store.ClaimRequest{Limit: 1, Lease: time.Minute, Worker: "cli-test"})
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %d claimed, %v", len(claimed), err)
	}
	status := 503
	outcome := store.Outcome{Lease: claimed[0].Lease, Result: store.ResultFailed, Attempt: store.Attempt{
		DeliveryID: claimed[0].Delivery.ID, Attempt: 1, StartedAt: time.Now(), ResponseStatus: &status, Error: "upstream down",
	}}
	if _, err := st.Complete(ctx, []store.Outcome{outcome}, store.HealthPolicy{}); err != nil {
		t.Fatalf("complete: %v", err)
	}
}
