package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/api"
	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

// TestEndpointRecovery: GET /v1/webhooks/{id}/recovery shows an endpoint
// that its health rules disabled being probed, with its delivery to
// recover; the delivery, once recovered, says why; POST
// /v1/webhooks/{id}/recovery/stop ends the probing and cancels what was
// recovered and not sent.
func TestEndpointRecovery(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		t.Parallel()
		st := newStore(t)
		ctx := t.Context()
		s := newServer(t, st, func(o *api.Options) {
			o.Service = service.New(st, service.Options{AllowPrivateTargets: true, RecoveryWindow: time.Hour})
		})
		ep := s.createEndpoint("http://127.0.0.1:9/hook")
		if _, err := st.Publish(ctx, store.Event{Type: "order.paid"}, store.PublishOptions{MaxRetries: 0}); err != nil {
			t.Fatal(err)
		}
		claimed, err := st.Claim(ctx, store.ClaimRequest{Limit: 10, Lease: time.Minute, Worker: "w"})
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim = %d, %v", len(claimed), err)
		}
		outage := store.HealthPolicy{DisableAfterFailures: 1, ProbeInterval: time.Hour, RecoverWithin: time.Hour}
		if _, err := st.Complete(ctx, []store.Outcome{{Lease: claimed[0].Lease, Result: store.ResultFailed}}, outage); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/v1/webhooks/%d", ep.ID)

		var rec wire.Recovery
		s.call("GET", path+"/recovery", nil, http.StatusOK, &rec)
		if rec.EndpointID != ep.ID || rec.ProbingSince == nil || rec.NextProbeAt == nil || rec.ToRecover != 1 || rec.Recovering != 0 {
			t.Errorf("recovery of a health-disabled endpoint: %+v, want probed with 1 to recover", rec)
		}
		var shown wire.Endpoint
		s.call("GET", path, nil, http.StatusOK, &shown)
		if shown.ProbingSince == nil || shown.NextProbeAt == nil || shown.Active {
			t.Errorf("endpoint %+v: want disabled, probed", shown)
		}

		if _, err := st.ProbeSucceeded(ctx, ep.ID, time.Hour); err != nil {
			t.Fatal(err)
		}
		var d wire.DeliveryDetail
		s.call("GET", fmt.Sprintf("/v1/deliveries/%d", claimed[0].Delivery.ID), nil, http.StatusOK, &d)
		if d.Status != "pending" || d.RecoveredAt == nil || d.RecoveryReason != store.RecoveryReason {
			t.Errorf("recovered delivery %+v: want pending, saying why", d.Delivery)
		}
		s.call("GET", path+"/recovery", nil, http.StatusOK, &rec)
		if rec.ProbingSince != nil || rec.ToRecover != 0 || rec.Recovering != 1 {
			t.Errorf("recovery after the probe's 2xx: %+v, want 1 recovering", rec)
		}

		s.call("POST", path+"/recovery/stop", nil, http.StatusOK, &shown)
		if shown.ID != ep.ID || shown.ProbingSince != nil {
			t.Errorf("stop answered %+v", shown)
		}
		s.call("GET", fmt.Sprintf("/v1/deliveries/%d", claimed[0].Delivery.ID), nil, http.StatusOK, &d)
		if d.Status != "cancelled" {
			t.Errorf("recovered delivery after a stop is %s, want cancelled", d.Status)
		}
		s.call("GET", "/v1/webhooks/999999/recovery", nil, http.StatusNotFound, nil)
		s.call("POST", "/v1/webhooks/999999/recovery/stop", nil, http.StatusNotFound, nil)
	})
}
