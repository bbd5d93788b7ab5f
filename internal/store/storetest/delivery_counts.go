package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

var deliveryCountTests = []test{
	{"CountDeliveriesPerEndpointBucketAndStatus", func(t *testing.T, f *fixture) {
		w, ok := f.s.(ForeignWriter)
		if !ok {
			t.Fatalf("the store of the suite (%T) must implement storetest.ForeignWriter", f.s)
		}
		start := time.Now().Truncate(time.Hour).Add(-4 * time.Hour)
		req := store.DeliveryCountRequest{Start: start, Step: time.Hour, Buckets: 6}
		a, b, c := f.endpoint(), f.endpoint(), f.endpoint()
		type row struct {
			endpoint int64
			created  time.Time
			status   store.Status
		}
		var rows []row
		for i, r := range []struct {
			ep     store.Endpoint
			status store.Status
		}{
			{a, store.StatusDelivered}, {a, store.StatusFailed}, {a, store.StatusDelivered},
			{b, store.StatusCancelled}, {c, store.StatusProcessing},
		} {
			d := f.deliveryIn(r.ep, fmt.Sprintf("count.%d", i), r.status)
			rows = append(rows, row{r.ep.ID, d.CreatedAt, d.Status})
		}
		// Rows at chosen times: at the window's bounds and in its buckets.
		for i, r := range []row{
			{a.ID, start.Add(30 * time.Minute), store.StatusPending},
			{a.ID, start.Add(2 * time.Hour), store.StatusPending}, // a bucket's first instant
			{b.ID, start.Add(2*time.Hour - time.Second), store.StatusPending},
			{c.ID, start, store.StatusPending},                   // the window's first instant
			{a.ID, start.Add(-time.Second), store.StatusPending}, // before the window
			{b.ID, req.End(), store.StatusPending},               // the window's end, excluded
		} {
			id := fmt.Sprintf("0b7f7f2e-3c1a-4d8e-9a51-2f0d6c1b9e%02d", i)
			if err := w.InsertForeignDelivery(f.ctx, r.endpoint, id, "count.foreign", `{}`, r.created); err != nil {
				t.Fatalf("insert a delivery created at %s: %v", r.created, err)
			}
			rows = append(rows, r)
		}
		// want counts rows as CountDeliveries should, with endpoint ids or
		// all together.
		want := func(ids ...int64) []store.DeliveryCount {
			counts := map[store.DeliveryCount]int64{}
			for _, r := range rows {
				if r.created.Before(req.Start) || !r.created.Before(req.End()) {
					continue
				}
				key := store.DeliveryCount{Bucket: int(r.created.Sub(req.Start) / req.Step), Status: r.status}
				if len(ids) > 0 {
					if !slices.Contains(ids, r.endpoint) {
						continue
					}
					key.EndpointID = r.endpoint
				}
				counts[key]++
			}
			var out []store.DeliveryCount
			for k, n := range counts {
				k.Count = n
				out = append(out, k)
			}
			slices.SortFunc(out, func(x, y store.DeliveryCount) int {
				return cmp.Or(cmp.Compare(x.EndpointID, y.EndpointID), cmp.Compare(x.Bucket, y.Bucket), cmp.Compare(x.Status, y.Status))
			})
			return out
		}
		for _, ids := range [][]int64{{a.ID, b.ID}, {c.ID}, nil, {404}} {
			req.EndpointIDs = ids
			got, err := f.s.CountDeliveries(f.ctx, req)
			if err != nil {
				t.Fatalf("count for endpoints %v: %v", ids, err)
			}
			if w := want(ids...); !slices.Equal(got, w) {
				t.Errorf("counts for endpoints %v:\n got %+v\nwant %+v", ids, got, w)
			}
		}
	}},
	{"CountDeliveriesRefusesAnUnboundedWindow", func(t *testing.T, f *fixture) {
		for _, req := range []store.DeliveryCountRequest{
			{Start: time.Now(), Step: 0, Buckets: 1},
			{Start: time.Now(), Step: time.Hour, Buckets: 0},
			{Start: time.Now(), Step: time.Hour, Buckets: store.MaxCountBuckets + 1},
		} {
			if _, err := f.s.CountDeliveries(f.ctx, req); err == nil {
				t.Errorf("CountDeliveries(%+v) succeeded, want an error", req)
			}
		}
	}},
}
