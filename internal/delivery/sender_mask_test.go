package delivery_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/store"
)

// TestAttemptRecordsMaskCustomHeaders: the receiver gets the custom header
// values in full; the attempt record keeps their names and masked values,
// and hookrelay's own headers as sent.
func TestAttemptRecordsMaskCustomHeaders(t *testing.T) {
	url, got := ackifyReceiver(t)
	c := ackifyRow(url, store.ProfileStandard)
	c.Endpoint.Secret = "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"
	c.Endpoint.Headers = map[string]string{"Authorization": "Bearer receiver-credential-0123456789", "X-Team": "docs"}
	s := delivery.NewSender(delivery.SenderOptions{Timeout: 5 * time.Second, AllowPrivate: true})
	res := s.Send(t.Context(), c)
	if res.Class != delivery.Delivered {
		t.Fatalf("send: class %v, error %q", res.Class, res.Attempt.Error)
	}
	var r captured
	select {
	case r = <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("the receiver got no request")
	}
	if r.header.Get("Authorization") != "Bearer receiver-credential-0123456789" || r.header.Get("X-Team") != "docs" {
		t.Fatalf("the receiver got %v", r.header)
	}
	h := res.Attempt.RequestHeaders
	if h["Authorization"] != "Bearer …6789" || h["X-Team"] != "…" {
		t.Errorf("recorded custom headers %q, %q; want them masked", h["Authorization"], h["X-Team"])
	}
	if h["Webhook-Signature"] != r.header.Get("Webhook-Signature") || h["Content-Type"] != "application/json" ||
		h[http.CanonicalHeaderKey("x-event-id")] != c.Event.ID {
		t.Errorf("hookrelay's headers not recorded as sent: %v", h)
	}
}
