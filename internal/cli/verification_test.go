package cli_test

import (
	"fmt"
	"testing"

	"github.com/hookrelay/hookrelay/internal/api/wire"
)

// TestCLIEndpointVerification: webhooks add --require-verification,
// --no-require-verification, the state in get and list, webhooks verify.
func TestCLIEndpointVerification(t *testing.T) {
	s := newCLIServer(t)
	var ep wire.Endpoint
	s.okJSON(&ep, "webhooks", "add", "--url", "http://127.0.0.1:9/owned", "--require-verification")
	if ep.Verification.State != wire.Unverified || ep.Verification.ChallengeSentAt == nil {
		t.Fatalf("add --require-verification: %+v, want unverified", ep.Verification)
	}
	id := fmt.Sprint(ep.ID)
	var plain wire.Endpoint
	s.okJSON(&plain, "webhooks", "add", "--url", "http://127.0.0.1:9/plain", "--no-require-verification")
	if plain.Verification.State != wire.Verified {
		t.Errorf("add --no-require-verification: %+v, want verified", plain.Verification)
	}
	wantLines(t, "get", s.ok("webhooks", "get", id), "Verification:", "unverified (challenge sent ")
	wantLines(t, "list", s.ok("webhooks", "list"), "VERIFICATION", "unverified", "verified")
	wantLines(t, "verify", s.ok("webhooks", "verify", id), "challenge queued for endpoint "+id)
	s.fails(1, "already verified", "webhooks", "verify", fmt.Sprint(plain.ID))
}
