package service_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
)

func TestMaskEndpoint(t *testing.T) {
	s := service.New(nil, service.Options{DefaultProfile: store.ProfileAckify})
	expires := now.Add(time.Hour)
	e := store.Endpoint{
		ID: 4, URL: target, Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", PreviousSecret: "whsec_old-secret-0123456789",
		PreviousSecretExpiresAt: &expires, Headers: map[string]string{"Authorization": "Bearer 0123456789abcdefghijkl", "X-Tenant": "acme"},
	}
	got := s.MaskEndpoint(e)
	if got.Secret != "whsec_…LaSw" || got.PreviousSecret != "" || got.PreviousSecretExpiresAt != &expires ||
		got.Headers["Authorization"] != "Bearer …ijkl" || got.Headers["X-Tenant"] != "…" ||
		got.SignatureProfile != store.ProfileAckify || got.ID != 4 || got.URL != target {
		t.Errorf("MaskEndpoint = %+v", got)
	}
	if e.Secret == got.Secret || e.Headers["X-Tenant"] != "acme" {
		t.Error("MaskEndpoint changed its argument")
	}
	e.PreviousSecret = "" // an expiry without a previous secret is not shown
	if got := s.MaskEndpoint(e); got.PreviousSecretExpiresAt != nil {
		t.Errorf("expiry %v shown without a previous secret", got.PreviousSecretExpiresAt)
	}
}

func TestSentPayload(t *testing.T) {
	eachService(t, service.Options{}, func(t *testing.T, s *service.Service, st store.Store) {
		create(t, s, nil)
		res, err := s.Publish(t.Context(), service.PublishRequest{Event: store.Event{Type: "a", Data: json.RawMessage(`{"z":1,"a":1.50}`)}})
		if err != nil {
			t.Fatal(err)
		}
		ds, err := st.ListDeliveries(t.Context(), store.DeliveryFilter{EventID: res.Event.ID})
		if err != nil || len(ds) != 1 {
			t.Fatalf("deliveries %v, %v", ds, err)
		}
		got, err := s.SentPayload(t.Context(), ds[0])
		if err != nil || string(got) != `{"z":1,"a":1.50}` {
			t.Errorf("SentPayload = %s, %v; want the event's data as published", got, err)
		}
		orphan := store.Delivery{ID: 9, EventID: store.NewEventID(), Payload: json.RawMessage(`{"own":true}`)}
		if got, err := s.SentPayload(t.Context(), orphan); err != nil || string(got) != `{"own":true}` {
			t.Errorf("SentPayload without an event row = %s, %v; want the delivery's payload", got, err)
		}
	})
}

func TestFieldErrors(t *testing.T) {
	s := service.New(nil, service.Options{})
	_, err := s.CreateEndpoint(t.Context(), store.Endpoint{Title: strings.Repeat("t", 201), Events: []string{""}, Secret: "short"})
	var got []string
	for _, fe := range service.FieldErrors(fmt.Errorf("wrapped: %w", err)) {
		got = append(got, fe.Path())
	}
	if strings.Join(got, " ") != "title url events[0] secret" {
		t.Errorf("FieldErrors = %v, want every field at fault, in order", got)
	}
	if n := len(service.FieldErrors(nil)) + len(service.FieldErrors(store.ErrNotFound)); n != 0 {
		t.Errorf("%d field errors in errors that hold none", n)
	}
}

func TestCheckDeliveryFilter(t *testing.T) {
	id := store.NewEventID()
	got, err := service.CheckDeliveryFilter(store.DeliveryFilter{EndpointID: 3, Status: store.StatusFailed, EventType: "a.b", EventID: strings.ToUpper(id), Limit: 7})
	if err != nil || got.EventID != id || got.EndpointID != 3 || got.Status != store.StatusFailed || got.EventType != "a.b" || got.Limit != 7 {
		t.Errorf("CheckDeliveryFilter = %+v, %v; want the filter, the event ID canonical", got, err)
	}
	for _, c := range []struct {
		f    store.DeliveryFilter
		want string
	}{
		{store.DeliveryFilter{Status: "lost"}, `status: "lost" is not pending, processing, delivered, failed or cancelled`},
		{store.DeliveryFilter{EventID: "nope"}, `event_id: "nope" is not a UUID`},
		{store.DeliveryFilter{EventType: "a\x00"}, "event_type: "},
		{store.DeliveryFilter{Status: "lost", EventID: "nope"}, `status: "lost"`},
	} {
		_, err := service.CheckDeliveryFilter(c.f)
		if fes := service.FieldErrors(err); len(fes) == 0 || !strings.HasPrefix(fes[0].Error(), c.want) {
			t.Errorf("CheckDeliveryFilter(%+v) = %v, want %s first", c.f, err, c.want)
		}
	}
}
