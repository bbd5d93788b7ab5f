package hookrelay_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay"
)

func TestUpdateEndpoint(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		c := b.newClient(t)
		ctx := t.Context()
		created, err := c.CreateEndpoint(ctx, hookrelay.Endpoint{
			URL: "https://93.184.215.14/hooks", Headers: map[string]string{"Authorization": "Bearer token-0123456789"},
		})
		if err != nil {
			t.Fatal(err)
		}
		title, events := "CRM", []string{"document.*"}
		updated, err := c.UpdateEndpoint(ctx, created.ID, hookrelay.EndpointUpdate{Title: &title, Events: &events})
		if err != nil || updated.Title != "CRM" || len(updated.Events) != 1 || updated.URL != created.URL ||
			updated.Headers["Authorization"] != "Bearer token-0123456789" || updated.Secret != created.Secret {
			t.Fatalf("UpdateEndpoint = %+v, %v; want the title and events changed, the rest kept", updated, err)
		}
		// A move must give the custom headers again: they are credentials.
		moved := "https://93.184.215.15/hooks"
		if _, err := c.UpdateEndpoint(ctx, created.ID, hookrelay.EndpointUpdate{URL: &moved}); !errors.Is(err, hookrelay.ErrInvalid) || !strings.Contains(err.Error(), "headers") {
			t.Errorf("moving with the stored headers: %v, want ErrInvalid naming headers", err)
		}
		headers := map[string]string{"Authorization": "Bearer other-0123456789"}
		if e, err := c.UpdateEndpoint(ctx, created.ID, hookrelay.EndpointUpdate{URL: &moved, Headers: &headers}); err != nil || e.URL != moved {
			t.Errorf("moving with new headers = %+v, %v", e, err)
		}
		rate := 5
		if e, err := c.UpdateEndpoint(ctx, created.ID, hookrelay.EndpointUpdate{RateLimitPerSecond: &rate}); err != nil || e.RateLimitPerSecond != 5 {
			t.Errorf("setting a rate limit = %+v, %v; want 5/s", e, err)
		}
		if e, err := c.GetEndpoint(ctx, created.ID); err != nil || e.RateLimitPerSecond != 5 {
			t.Errorf("GetEndpoint after setting a rate limit = %+v, %v; want 5/s", e, err)
		}
		rate = -1
		if _, err := c.UpdateEndpoint(ctx, created.ID, hookrelay.EndpointUpdate{RateLimitPerSecond: &rate}); !errors.Is(err, hookrelay.ErrInvalid) || !strings.Contains(err.Error(), "rate_limit_per_second") {
			t.Errorf("a negative rate limit: %v, want ErrInvalid naming rate_limit_per_second", err)
		}
		private := "http://127.0.0.1:9/hooks"
		if _, err := c.UpdateEndpoint(ctx, created.ID, hookrelay.EndpointUpdate{URL: &private}); !errors.Is(err, hookrelay.ErrInvalid) {
			t.Errorf("moving to loopback: %v, want ErrInvalid", err)
		}
		if _, err := c.UpdateEndpoint(ctx, created.ID+100, hookrelay.EndpointUpdate{Title: &title}); !errors.Is(err, hookrelay.ErrNotFound) {
			t.Errorf("updating a missing endpoint: %v, want ErrNotFound", err)
		}
	})
}

func TestRotateSecret(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		c := b.newClient(t, fast()...)
		ctx := t.Context()
		created, err := c.CreateEndpoint(ctx, hookrelay.Endpoint{URL: "http://127.0.0.1:9/hooks"})
		if err != nil {
			t.Fatal(err)
		}
		rotated, err := c.RotateSecret(ctx, created.ID, "")
		if err != nil || !strings.HasPrefix(rotated.Secret, "whsec_") || rotated.Secret == created.Secret {
			t.Fatalf("RotateSecret = %+v, %v; want a new generated secret", rotated, err)
		}
		// The old secret still signs for the rotation window.
		until, err := b.queryInt(ctx, fmt.Sprintf("SELECT count(*) FROM webhooks WHERE id = %d AND previous_secret IS NOT NULL", created.ID))
		if err != nil || until != 1 {
			t.Errorf("previous secret kept: %d, %v; want it", until, err)
		}
		if given, err := c.RotateSecret(ctx, created.ID, "a-long-enough-secret"); err != nil || given.Secret != "a-long-enough-secret" {
			t.Errorf("RotateSecret(given) = %+v, %v", given, err)
		}
		if _, err := c.RotateSecret(ctx, created.ID, "short"); !errors.Is(err, hookrelay.ErrInvalid) {
			t.Errorf("a short secret: %v, want ErrInvalid", err)
		}
		if _, err := c.RotateSecret(ctx, created.ID+100, ""); !errors.Is(err, hookrelay.ErrNotFound) {
			t.Errorf("rotating a missing endpoint: %v, want ErrNotFound", err)
		}
	})
}

func TestPingEndpoint(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		c := b.newClient(t, fast()...)
		ctx := t.Context()
		created, err := c.CreateEndpoint(ctx, hookrelay.Endpoint{URL: "http://127.0.0.1:9/hooks", Events: []string{"document.created"}})
		if err != nil {
			t.Fatal(err)
		}
		res, err := c.PingEndpoint(ctx, created.ID)
		if err != nil || res.EventID == "" || res.Deliveries != 1 {
			t.Fatalf("PingEndpoint = %+v, %v; want one delivery", res, err)
		}
		n, err := b.queryInt(ctx, fmt.Sprintf("SELECT count(*) FROM webhook_deliveries WHERE event_id = '%s' AND webhook_id = %d AND event_type = 'webhook.ping'", res.EventID, created.ID))
		if err != nil || n != 1 {
			t.Errorf("ping deliveries %d, %v; want 1 to the endpoint, whatever it subscribes to", n, err)
		}
		if _, err := c.DisableEndpoint(ctx, created.ID, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PingEndpoint(ctx, created.ID); err == nil || !strings.Contains(err.Error(), "disabled") {
			t.Errorf("pinging a disabled endpoint: %v, want a refusal", err)
		}
		if _, err := c.PingEndpoint(ctx, created.ID+100); !errors.Is(err, hookrelay.ErrNotFound) {
			t.Errorf("pinging a missing endpoint: %v, want ErrNotFound", err)
		}
	})
}

// Priority must fit in 32 bits, as the API requires, on both stores alike.
func TestPublishRefusesAnOutOfRangePriority(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		c := b.newClient(t, fast()...)
		_, err := c.PublishNow(t.Context(), hookrelay.Event{Type: "a", Priority: 1 << 31})
		if !errors.Is(err, hookrelay.ErrInvalid) || !strings.Contains(err.Error(), "priority") {
			t.Errorf("PublishNow with priority 2^31: %v, want ErrInvalid naming priority", err)
		}
	})
}
