package cli_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// TestCLIShowsProbing: webhooks get shows when an endpoint that its health
// rules disabled is probed, and when its next probe is due.
func TestCLIShowsProbing(t *testing.T) {
	s := newCLIServer(t)
	ctx := t.Context()
	ep, err := s.store.CreateEndpoint(ctx, store.Endpoint{URL: "http://127.0.0.1:9/hook", Secret: "a-secret-of-enough-length", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.Publish(ctx, store.Event{Type: "order.paid"}, store.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	claimed, err := s.store.Claim(ctx, store.ClaimRequest{Limit: 1, Lease: time.Minute, Worker: "w"})
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim = %d, %v", len(claimed), err)
	}
	outage := store.HealthPolicy{DisableAfterFailures: 1, ProbeInterval: time.Hour}
	if _, err := s.store.Complete(ctx, []store.Outcome{{Lease: claimed[0].Lease, Result: store.ResultFailed}}, outage); err != nil {
		t.Fatal(err)
	}
	wantLines(t, "get", s.ok("webhooks", "get", fmt.Sprint(ep.ID)), "Active:", "false", "Probing since:", "Next probe:")
}
