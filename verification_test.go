package hookrelay_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/internal/testwait"
	"github.com/hookrelay/hookrelay/signature"
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

// TestAMovedEndpointProvesOwnershipAgain: an endpoint verified at one URL
// and moved to another is unverified again; the new URL, which never
// echoes its challenge, receives the challenge and nothing else.
func TestAMovedEndpointProvesOwnershipAgain(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		c := started(t, b)
		victim := newReceiver(t)
		secret := victim.secret
		owner := httptest.NewServer(signature.Middleware(signature.VerifyOptions{Secrets: []string{secret}},
			http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })))
		t.Cleanup(owner.Close)
		yes := true
		ep, err := c.CreateEndpoint(t.Context(), hookrelay.Endpoint{URL: owner.URL + "/hooks", Secret: secret, RequireVerification: &yes})
		if err != nil {
			t.Fatal(err)
		}
		testwait.Until(t, "the owner to answer the challenge", func() bool {
			e, err := c.GetEndpoint(t.Context(), ep.ID)
			return err == nil && e.VerifiedAt != nil && !e.Unverified
		})

		moved, err := c.UpdateEndpoint(t.Context(), ep.ID, hookrelay.EndpointUpdate{URL: &victim.url})
		if err != nil || !moved.Unverified || moved.VerifiedAt != nil {
			t.Fatalf("UpdateEndpoint to a new URL = %+v, %v; want unverified", moved, err)
		}
		res, err := c.PublishNow(t.Context(), hookrelay.Event{Type: "order.paid", Data: json.RawMessage(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		testwait.Until(t, "the new URL to get its challenge", func() bool { return victim.requests() >= 1 })
		testwait.Until(t, "the challenge's delivery to finish", func() bool {
			return b.count(t, "webhook_deliveries WHERE event_type = 'webhook.verification' AND status = 'pending'") == 0
		})
		if n := b.count(t, fmt.Sprintf("webhook_deliveries WHERE event_id = '%s' AND status = 'pending'", res.EventID)); n != 1 {
			t.Errorf("the event published after the move: %d pending deliveries, want 1 waiting", n)
		}
		if got := victim.received(); slices.Contains(got, res.EventID) {
			t.Errorf("the unproved URL received the event %s", res.EventID)
		}
	})
}
