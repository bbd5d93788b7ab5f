package ui_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
	"github.com/hookrelay/hookrelay/internal/ui"
)

// TestEndpointRecoveryPage: the page of an endpoint that its health rules
// disabled shows its probing and the deliveries to recover; a recovered
// delivery's page says why it was sent again; "Stop recovery" ends the
// probing and cancels the recovered deliveries not sent.
func TestEndpointRecoveryPage(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		t.Parallel()
		st := newStore(t)
		s := newSite(t, st, testToken, func(o *ui.Options) {
			o.Service = service.New(st, service.Options{AllowPrivateTargets: true, RecoveryWindow: time.Hour})
		})
		b := s.signedIn()
		e := createEndpoint(t, st)
		if _, err := st.Publish(t.Context(), store.Event{Type: "order.paid"}, store.PublishOptions{MaxRetries: 0}); err != nil {
			t.Fatal(err)
		}
		claimed, err := st.Claim(t.Context(), store.ClaimRequest{Limit: 10, Lease: time.Minute, Worker: "test"})
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim = %d, %v", len(claimed), err)
		}
		outage := store.HealthPolicy{DisableAfterFailures: 1, ProbeInterval: time.Hour, RecoverWithin: time.Hour}
		if _, err := st.Complete(t.Context(), []store.Outcome{{Lease: claimed[0].Lease, Result: store.ResultFailed}}, outage); err != nil {
			t.Fatal(err)
		}
		page := "/ui/endpoints/" + itoa(e.ID)
		b.get(page).must(t, http.StatusOK).contains(t, "Automatic recovery", "Probing since", "Next probe", "Deliveries to recover", "Stop recovery")

		if _, err := st.ProbeSucceeded(t.Context(), e.ID, time.Hour); err != nil {
			t.Fatal(err)
		}
		b.get("/ui/deliveries/"+itoa(claimed[0].Delivery.ID)).must(t, http.StatusOK).contains(t, "Sent again", store.RecoveryReason)
		b.get(page).must(t, http.StatusOK).contains(t, "Recovered, not sent yet").lacks(t, "Probing since")

		b.post(page+"/recovery/stop", nil).redirects(t, page+"?notice=recovery-stopped")
		b.get(page).must(t, http.StatusOK).lacks(t, "Automatic recovery")
		if d, err := st.GetDelivery(t.Context(), claimed[0].Delivery.ID); err != nil || d.Status != store.StatusCancelled {
			t.Errorf("recovered delivery after the stop: %+v, %v; want cancelled", d, err)
		}
	})
}
