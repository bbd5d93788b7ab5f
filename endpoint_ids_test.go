package hookrelay_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay"
)

// TestPublishToExplicitEndpoints: Event.EndpointIDs sends the event to
// the endpoints it names, whatever their subscriptions, and to no other,
// in the application's transaction (Publish) and in one of its own
// (PublishNow), and through PublishMany; an ID of no endpoint, or of another tenant's endpoint, is
// refused with ErrInvalid and writes nothing.
func TestPublishToExplicitEndpoints(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		c := b.newClient(t, fast()...)
		ctx := t.Context()
		named, err := c.CreateEndpoint(ctx, hookrelay.Endpoint{URL: "http://127.0.0.1:9/named", Events: []string{"other.type"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreateEndpoint(ctx, hookrelay.Endpoint{URL: "http://127.0.0.1:9/all"}); err != nil {
			t.Fatal(err)
		}
		acme, err := c.CreateEndpoint(ctx, hookrelay.Endpoint{URL: "http://127.0.0.1:9/acme", TenantID: "acme"})
		if err != nil {
			t.Fatal(err)
		}
		targeted := hookrelay.Event{Type: "invoice.paid", EndpointIDs: []int64{named.ID}}
		inTx(t, b, func(tx appTx) {
			if res := publish(t, c, tx, targeted); res.Deliveries != 1 {
				t.Errorf("Publish to %d: %d deliveries, want 1", named.ID, res.Deliveries)
			}
		})
		if res, err := c.PublishNow(ctx, targeted); err != nil || res.Deliveries != 1 {
			t.Errorf("PublishNow to %d: %+v, %v; want 1 delivery", named.ID, res, err)
		}
		if got := b.count(t, "webhook_deliveries"); got != 2 {
			t.Errorf("%d deliveries stored, want 2 (the named endpoint's only)", got)
		}
		events := b.count(t, "webhook_events")
		for _, tc := range []struct {
			name string
			ev   hookrelay.Event
			want string
		}{
			{"missing", hookrelay.Event{Type: "invoice.paid", EndpointIDs: []int64{named.ID, 999999}}, "endpoint_ids[1]"},
			{"not positive", hookrelay.Event{Type: "invoice.paid", EndpointIDs: []int64{0}}, "endpoint_ids[0]"},
			{"other tenant", hookrelay.Event{Type: "invoice.paid", EndpointIDs: []int64{acme.ID}}, "another tenant"},
		} {
			tx := b.begin(t)
			_, err := tx.publish(ctx, c, tc.ev)
			if !errors.Is(err, hookrelay.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Publish %s: %v, want ErrInvalid naming %s", tc.name, err, tc.want)
			}
			if _, err := tx.publishMany(ctx, c, []hookrelay.Event{tc.ev}); !errors.Is(err, hookrelay.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("PublishMany %s: %v, want ErrInvalid naming %s", tc.name, err, tc.want)
			}
			if err := tx.commit(); err != nil {
				t.Errorf("commit after %s: %v (the transaction must stay usable)", tc.name, err)
			}
			if _, err := c.PublishNow(ctx, tc.ev); !errors.Is(err, hookrelay.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("PublishNow %s: %v, want ErrInvalid naming %s", tc.name, err, tc.want)
			}
		}
		if got := b.count(t, "webhook_events"); got != events {
			t.Errorf("%d events stored after the refusals, want %d", got, events)
		}
	})
}
