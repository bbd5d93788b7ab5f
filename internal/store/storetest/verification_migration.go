package storetest

import (
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// VerificationAfterMigration checks a store migrated from a release before
// endpoint verification that holds one endpoint (title "plain", URL
// https://a.example/hook, secret "secret-a-0123456789", 7 requests per
// second) with one queued delivery of event
// 11111111-2222-4333-8444-555555555555: the endpoint keeps every field and
// is verified (trusted, as before), and its delivery is claimed as before.
func VerificationAfterMigration(t *testing.T, s store.Store) {
	t.Helper()
	ctx := t.Context()
	eps, err := s.ListEndpoints(ctx, store.EndpointFilter{})
	if err != nil || len(eps) != 1 {
		t.Fatalf("endpoints %+v (%v), want the stored one", eps, err)
	}
	e := eps[0]
	if e.Title != "plain" || e.URL != "https://a.example/hook" || e.Secret != "secret-a-0123456789" || e.RateLimitPerSecond != 7 {
		t.Errorf("endpoint %+v, want the stored fields", e)
	}
	if e.Verification != (store.EndpointVerification{}) {
		t.Errorf("verification %+v, want verified (the zero value)", e.Verification)
	}
	claimed, err := s.Claim(ctx, store.ClaimRequest{Limit: 10, Lease: time.Minute, Worker: "w"})
	if err != nil || len(claimed) != 1 || claimed[0].Event.ID != "11111111-2222-4333-8444-555555555555" {
		t.Fatalf("claim = %+v (%v), want the old delivery", claimed, err)
	}
}
