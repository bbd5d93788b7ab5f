package ui_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
	"github.com/hookrelay/hookrelay/internal/ui"
)

// An endpoint's page shows the in-flight limit that this process's workers
// apply to it now, adaptive or fixed, as the client's Limits report it.
func TestEndpointPageShowsConcurrencyLimit(t *testing.T) {
	for _, tc := range []struct {
		name      string
		fixed     bool
		before    string // before any delivery
		afterOne  string // after one 2xx
		explained string
	}{
		{"adaptive", false, "has not sent to this endpoint", "at most <strong>5</strong>", "adaptive, between 1 and 8"},
		{"fixed", true, "has not sent to this endpoint", "at most <strong>8</strong>", "fixed at 8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := testenv.NewSQLite(t)
			limits := delivery.NewLimits(8, !tc.fixed)
			s := newSite(t, st, testToken, func(o *ui.Options) { o.EndpointLimits = limits })
			rcv := newReceiver(t)
			e, err := st.CreateEndpoint(t.Context(), store.Endpoint{URL: rcv.URL + "/ok", Secret: "s3cret-s3cret-s3cret", Active: true})
			if err != nil {
				t.Fatal(err)
			}
			b := s.signedIn()
			page := "/ui/endpoints/" + strconv.FormatInt(e.ID, 10)
			b.get(page).must(t, http.StatusOK).contains(t, "Concurrency", tc.before, tc.explained)

			startWorker(t, st, func(o *delivery.Options) { o.Limits, o.FixedLimits = limits, tc.fixed })
			publishVia(t, s, "order.paid")
			waitStatus(t, st, store.DeliveryFilter{EndpointID: e.ID}, store.StatusDelivered)
			b.get(page).must(t, http.StatusOK).contains(t, tc.afterOne, tc.explained)
		})
	}
	t.Run("without workers' limits the page shows none", func(t *testing.T) {
		st := testenv.NewSQLite(t)
		s := newSite(t, st, testToken)
		e, err := st.CreateEndpoint(t.Context(), store.Endpoint{URL: "http://127.0.0.1:9/x", Secret: "s3cret-s3cret-s3cret", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		s.signedIn().get("/ui/endpoints/"+strconv.FormatInt(e.ID, 10)).must(t, http.StatusOK).lacks(t, "concurrency-title")
	})
}
