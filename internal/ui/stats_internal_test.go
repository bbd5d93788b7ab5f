package ui

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

func TestHistogramChart(t *testing.T) {
	start := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	h := histogram{start: start, step: time.Hour, buckets: []bucket{{}, {Delivered: 3, Failed: 1}, {Other: 2}}}
	c := h.chart(clockLabel)
	if c.Width != 3*(barWidth+1) || len(c.Bars) != 3 || c.SuccessRate != 75 || c.Finished != 4 {
		t.Fatalf("chart %+v", c)
	}
	if len(c.Bars[0].Segments) != 0 || len(c.Bars[1].Segments) != 2 || c.Bars[1].Title != "11:00 UTC: 3 delivered, 1 failed, 0 other" {
		t.Fatalf("bars %+v", c.Bars)
	}
	if top := c.Bars[1].Segments[1]; top.Class != "bad" || top.Y != 0 || top.Height != chartHeight/4 {
		t.Errorf("the tallest bar does not fill the chart: %+v", c.Bars[1].Segments)
	}

	idle := histogram{start: start, step: time.Minute, buckets: []bucket{{Other: 1}}}.chart(clockLabel)
	if idle.SuccessRate != -1 || idle.Summary != "0 delivered, 0 failed, 1 pending or cancelled" {
		t.Fatalf("idle chart %+v", idle)
	}
}

// TestHistogramsMatchTheDeliveries checks the aggregate query against the
// deliveries themselves, bucketed as the charts bucketed them before the
// store counted: per endpoint and for every endpoint together.
func TestHistogramsMatchTheDeliveries(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		st := newStore(t)
		var ids []int64
		for i := range 3 {
			e, err := st.CreateEndpoint(t.Context(), store.Endpoint{
				URL: fmt.Sprintf("http://127.0.0.1:9/hooks/%d", i), Secret: "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0",
				Active: true, Events: []string{fmt.Sprintf("e%d.*", i), "all.*"},
			})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, e.ID)
		}
		for _, eventType := range []string{"e0.a", "e1.a", "all.a", "e0.b", "all.b", "e2.a", "e0.c"} {
			ev := store.Event{ID: store.NewEventID(), Type: eventType, Data: json.RawMessage(`{}`)}
			if _, err := st.Publish(t.Context(), ev, store.PublishOptions{MaxRetries: 3}); err != nil {
				t.Fatal(err)
			}
		}
		// 11 deliveries: 8 finished, delivered and failed in turn, 3 pending.
		claimed, err := st.Claim(t.Context(), store.ClaimRequest{Limit: 8, Lease: time.Minute, Worker: "test"})
		if err != nil {
			t.Fatal(err)
		}
		outcomes := make([]store.Outcome, len(claimed))
		for i, c := range claimed {
			outcomes[i] = store.Outcome{Lease: c.Lease, Result: []store.Result{store.ResultDelivered, store.ResultFailed}[i%2],
				Attempt: store.Attempt{DeliveryID: c.Delivery.ID, Attempt: 1, StartedAt: time.Now()}}
		}
		if _, err := st.Complete(t.Context(), outcomes, store.HealthPolicy{}); err != nil {
			t.Fatal(err)
		}
		s := &server{store: st}
		// listed buckets deliveries as the charts once did.
		listed := func(h histogram, endpointID int64) histogram {
			want := histogram{start: h.start, step: h.step, buckets: make([]bucket, len(h.buckets))}
			ds, err := st.ListDeliveries(t.Context(), store.DeliveryFilter{EndpointID: endpointID, CreatedAfter: &h.start})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				if i := int(d.CreatedAt.Sub(h.start) / h.step); i >= 0 && i < len(want.buckets) {
					want.buckets[i].add(d.Status, 1)
				}
			}
			return want
		}
		perEndpoint, err := s.loadHistograms(t.Context(), ids, time.Hour, 24)
		if err != nil {
			t.Fatal(err)
		}
		all, err := s.loadHistograms(t.Context(), nil, time.Minute, 60)
		if err != nil {
			t.Fatal(err)
		}
		if len(perEndpoint) != len(ids) || len(all) != 1 {
			t.Fatalf("%d histograms for %d endpoints, %d for all; want one each", len(perEndpoint), len(ids), len(all))
		}
		for _, id := range ids {
			if got, want := perEndpoint[id], listed(perEndpoint[id], id); !reflect.DeepEqual(got, want) || got.sum().total() == 0 {
				t.Errorf("endpoint %d: %+v, want %+v", id, got.buckets, want.buckets)
			}
		}
		if got, want := all[0], listed(all[0], 0); !reflect.DeepEqual(got, want) || got.sum() != (bucket{Delivered: 4, Failed: 4, Other: 3}) {
			t.Errorf("every endpoint: %+v (%+v), want %+v (4 delivered, 4 failed, 3 other)", got.buckets, got.sum(), want.buckets)
		}
	})
}
