package storetest

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
)

var publishTests = []test{
	{"PublishCreatesOneDeliveryPerSubscriber", func(t *testing.T, f *fixture) {
		a, b := f.endpoint(), f.endpoint(endpointRetries(9))
		ev := store.Event{ID: store.NewEventID(), Type: "signature.created", Data: json.RawMessage(`{"doc": "x", "n": [1, 2]}`), Priority: 3}
		res, err := f.s.Publish(f.ctx, ev, store.PublishOptions{MaxRetries: 5})
		if err != nil {
			t.Fatalf("publish: %v", err)
		}
		if !res.Created || res.Deliveries != 2 {
			t.Fatalf("result %+v, want created with 2 deliveries", res)
		}
		got := res.Event
		if got.ID != ev.ID || got.Type != ev.Type || got.Priority != 3 {
			t.Errorf("event %+v, want %+v", got, ev)
		}
		sameJSON(t, "event data", got.Data, ev.Data)
		f.recent("event CreatedAt", got.CreatedAt)
		stored, err := f.s.GetEvent(f.ctx, ev.ID)
		if err != nil {
			t.Fatalf("get event: %v", err)
		}
		if stored.ID != ev.ID || stored.Type != ev.Type || stored.Priority != 3 {
			t.Errorf("stored event %+v", stored)
		}
		sameJSON(t, "stored data", stored.Data, ev.Data)
		sameInstant(t, "stored CreatedAt", stored.CreatedAt, got.CreatedAt)

		retries := map[int64]int{}
		for _, d := range f.deliveriesOf(ev.ID) {
			retries[d.EndpointID] = d.MaxRetries
			if d.Status != store.StatusPending || d.RetryCount != 0 || d.Priority != 3 || d.EventType != ev.Type || d.EventID != ev.ID {
				t.Errorf("delivery %+v: want pending, retry 0, priority 3, the event's type and ID", d)
			}
			sameJSON(t, "payload", d.Payload, ev.Data)
			f.recent("delivery CreatedAt", d.CreatedAt)
			f.recent("ScheduledFor", d.ScheduledFor)
			unset(t, "ProcessedAt", d.ProcessedAt)
			unset(t, "LeaseExpiresAt", d.LeaseExpiresAt)
			if d.ResponseStatus != nil || d.LastError != "" || d.ResponseBody != "" || len(d.RequestHeaders) != 0 || len(d.ResponseHeaders) != 0 {
				t.Errorf("new delivery has attempt data: %+v", d)
			}
		}
		if want := map[int64]int{a.ID: 5, b.ID: 9}; !maps.Equal(retries, want) {
			t.Errorf("max retries by endpoint %v, want %v (endpoint's own, else the option)", retries, want)
		}
	}},
	{"PublishSameIDIsIdempotent", func(t *testing.T, f *fixture) {
		f.endpoint()
		first := f.publish("document.created")
		f.endpoint()
		again, err := f.s.Publish(f.ctx, store.Event{ID: first.Event.ID, Type: "other.type", Data: json.RawMessage(`{"n":2}`)}, store.PublishOptions{})
		if err != nil {
			t.Fatalf("publish again: %v", err)
		}
		if again.Created || again.Deliveries != 0 {
			t.Errorf("second publish %+v, want not created, no deliveries", again)
		}
		if again.Event.Type != "document.created" || again.Event.ID != first.Event.ID {
			t.Errorf("second publish returned %+v, want the stored event", again.Event)
		}
		sameJSON(t, "returned data", again.Event.Data, first.Event.Data)
		sameInstant(t, "returned CreatedAt", again.Event.CreatedAt, first.Event.CreatedAt)
		if ds := f.deliveriesOf(first.Event.ID); len(ds) != 1 {
			t.Errorf("%d deliveries after publishing twice, want 1", len(ds))
		}
	}},
	{"PublishNormalizesTheEvent", func(t *testing.T, f *fixture) {
		f.endpoint()
		res, err := f.s.Publish(f.ctx, store.Event{Type: "document.created"}, store.PublishOptions{})
		if err != nil {
			t.Fatalf("publish without ID or data: %v", err)
		}
		if res.Event.ID == "" {
			t.Error("no event ID was generated")
		}
		sameJSON(t, "empty data", res.Event.Data, []byte(`{}`))
		sameJSON(t, "empty payload", f.deliveriesOf(res.Event.ID)[0].Payload, []byte(`{}`))

		upper := "A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C5D"
		res, err = f.s.Publish(f.ctx, store.Event{ID: upper, Type: "document.created"}, store.PublishOptions{})
		if err != nil || res.Event.ID != "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d" {
			t.Errorf("upper-case UUID: %+v, %v; want the canonical ID", res.Event, err)
		}
		if _, err := f.s.GetEvent(f.ctx, upper); err != nil {
			t.Errorf("get event by upper-case UUID: %v", err)
		}
	}},
	{"PublishRejectsInvalidEvents", func(t *testing.T, f *fixture) {
		f.endpoint()
		for _, c := range []struct {
			field string
			ev    store.Event
		}{
			{"id", store.Event{ID: "not-a-uuid", Type: "document.created"}},
			{"type", store.Event{Type: "bad type"}},
			{"data", store.Event{Type: "document.created", Data: json.RawMessage(`{`)}},
		} {
			_, err := f.s.Publish(f.ctx, c.ev, store.PublishOptions{})
			var fe *store.FieldError
			if !errors.As(err, &fe) || fe.Field != c.field {
				t.Errorf("publish %+v: error %v, want a *store.FieldError on %q", c.ev, err, c.field)
			}
		}
		if ds := f.list(store.DeliveryFilter{}); len(ds) != 0 {
			t.Errorf("invalid events created %d deliveries", len(ds))
		}
		_, err := f.s.GetEvent(f.ctx, "not-a-uuid")
		wantErr(t, "get invalid ID", err, store.ErrNotFound)
		_, err = f.s.GetEvent(f.ctx, store.NewEventID())
		wantErr(t, "get unknown ID", err, store.ErrNotFound)
	}},
	{"PublishFollowsSubscriptions", func(t *testing.T, f *fixture) {
		all := f.endpoint()
		star := f.endpoint(subscribedTo("*"))
		exact := f.endpoint(subscribedTo("document.created"))
		prefix := f.endpoint(subscribedTo("document.*"))
		other := f.endpoint(subscribedTo("reminder.sent", "signature.*"))
		off := f.endpoint(inactive)
		cases := []struct {
			eventType string
			want      []int64
		}{
			{"document.created", []int64{all.ID, star.ID, exact.ID, prefix.ID}},
			{"document.completed", []int64{all.ID, star.ID, prefix.ID}},
			{"signature.created", []int64{all.ID, star.ID, other.ID}},
			{"documents.created", []int64{all.ID, star.ID}},
			{"document", []int64{all.ID, star.ID}},
		}
		for _, c := range cases {
			res := f.publish(c.eventType)
			if got := deliveryEndpointIDs(f.deliveriesOf(res.Event.ID)); !slices.Equal(got, c.want) || res.Deliveries != len(c.want) {
				t.Errorf("%s went to %v (%d), want %v", c.eventType, got, res.Deliveries, c.want)
			}
		}
		if ds := f.list(store.DeliveryFilter{EndpointID: off.ID}); len(ds) != 0 {
			t.Errorf("inactive endpoint got %d deliveries", len(ds))
		}
	}},
	{"PublishToChosenEndpoints", func(t *testing.T, f *fixture) {
		a, b := f.endpoint(), f.endpoint()
		off := f.endpoint(inactive)
		res := f.publish("document.created", toEndpoints(b.ID, off.ID, 404))
		if got := deliveryEndpointIDs(f.deliveriesOf(res.Event.ID)); !slices.Equal(got, []int64{b.ID}) || res.Deliveries != 1 {
			t.Errorf("went to %v (%d), want only %d (not %d, unlisted, nor %d, inactive)", got, res.Deliveries, b.ID, a.ID, off.ID)
		}
	}},
	{"PublishToChosenEndpointsIgnoresSubscriptions", func(t *testing.T, f *fixture) {
		picky := f.endpoint(subscribedTo("reminder.sent", "signature.*"))
		other := f.endpoint(subscribedTo("webhook.ping"))
		res := f.publish("webhook.ping", toEndpoints(picky.ID), withRetries(7))
		ds := f.deliveriesOf(res.Event.ID)
		if got := deliveryEndpointIDs(ds); !slices.Equal(got, []int64{picky.ID}) || res.Deliveries != 1 {
			t.Fatalf("went to %v (%d), want only %d, targeted though subscribed to other types (not %d, subscribed but not targeted)",
				got, res.Deliveries, picky.ID, other.ID)
		}
		if d := ds[0]; d.Status != store.StatusPending || d.EventType != "webhook.ping" || d.MaxRetries != 7 {
			t.Errorf("delivery %+v: want pending, webhook.ping, 7 retries", d)
		}
	}},
	{"PublishToAnInactiveEndpointCreatesNoDelivery", func(t *testing.T, f *fixture) {
		off := f.endpoint(inactive, subscribedTo("webhook.ping"))
		res := f.publish("webhook.ping", toEndpoints(off.ID))
		if !res.Created || res.Deliveries != 0 {
			t.Errorf("result %+v, want created with no deliveries", res)
		}
		if ds := f.list(store.DeliveryFilter{EndpointID: off.ID}); len(ds) != 0 {
			t.Errorf("inactive target got %d deliveries", len(ds))
		}
	}},
	{"PublishWithoutSubscribersKeepsTheEvent", func(t *testing.T, f *fixture) {
		res := f.publish("document.created")
		if !res.Created || res.Deliveries != 0 {
			t.Errorf("result %+v, want created with no deliveries", res)
		}
		if _, err := f.s.GetEvent(f.ctx, res.Event.ID); err != nil {
			t.Errorf("get event: %v", err)
		}
	}},
}

// deliveryEndpointIDs lists the endpoints of deliveries, ascending.
func deliveryEndpointIDs(ds []store.Delivery) []int64 {
	ids := make([]int64, len(ds))
	for i, d := range ds {
		ids[i] = d.EndpointID
	}
	slices.Sort(ids)
	return ids
}
