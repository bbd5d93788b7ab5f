package hookrelay_test

import (
	"errors"
	"testing"

	"github.com/hookrelay/hookrelay"
)

// TestEndpointVerification is the library's door to endpoint ownership:
// RequireVerification on create (and WithRequireVerification as the
// default), the state on the endpoint, VerifyEndpoint.
func TestEndpointVerification(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		ctx := t.Context()
		c := b.newClient(t, append(fast(), hookrelay.WithRequireVerification())...)
		byDefault, err := c.CreateEndpoint(ctx, hookrelay.Endpoint{URL: "http://127.0.0.1:9/a"})
		if err != nil || !byDefault.Unverified || byDefault.ChallengeSentAt == nil || byDefault.VerifiedAt != nil {
			t.Fatalf("CreateEndpoint with WithRequireVerification = %+v, %v; want unverified, challenge sent", byDefault, err)
		}
		no := false
		trusted, err := c.CreateEndpoint(ctx, hookrelay.Endpoint{URL: "http://127.0.0.1:9/b", RequireVerification: &no})
		if err != nil || trusted.Unverified || trusted.ChallengeSentAt != nil {
			t.Fatalf("CreateEndpoint with RequireVerification false = %+v, %v; want verified", trusted, err)
		}
		again, err := c.VerifyEndpoint(ctx, byDefault.ID)
		if err != nil || !again.Unverified || again.ChallengeSentAt.Before(*byDefault.ChallengeSentAt) {
			t.Errorf("VerifyEndpoint = %+v, %v; want unverified with a new challenge", again, err)
		}
		if got, err := c.GetEndpoint(ctx, byDefault.ID); err != nil || !got.Unverified {
			t.Errorf("GetEndpoint = %+v, %v; want unverified", got, err)
		}
		if _, err := c.VerifyEndpoint(ctx, trusted.ID); !errors.Is(err, hookrelay.ErrConflict) {
			t.Errorf("VerifyEndpoint of a verified endpoint: %v, want ErrConflict", err)
		}
		if _, err := c.VerifyEndpoint(ctx, trusted.ID+100); !errors.Is(err, hookrelay.ErrNotFound) {
			t.Errorf("VerifyEndpoint of a missing endpoint: %v, want ErrNotFound", err)
		}
	})
}
