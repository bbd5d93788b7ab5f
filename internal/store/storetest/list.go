package storetest

import (
	"cmp"
	"slices"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
)

var listTests = []test{
	{"ListDeliveriesFiltersNewestFirst", func(t *testing.T, f *fixture) {
		a, b := f.endpoint(), f.endpoint()
		statuses := []store.Status{store.StatusPending, store.StatusDelivered, store.StatusFailed, store.StatusCancelled, store.StatusProcessing}
		for i, status := range statuses {
			for _, ep := range []store.Endpoint{a, b} {
				typ := "document.created"
				if i%2 == 1 {
					typ = "reminder.sent"
				}
				f.deliveryIn(ep, typ, status)
			}
		}
		all := f.list(store.DeliveryFilter{})
		if len(all) != 10 {
			t.Fatalf("listed %d deliveries, want 10", len(all))
		}
		if !slices.IsSortedFunc(all, func(x, y store.Delivery) int { return cmp.Compare(y.ID, x.ID) }) {
			t.Fatalf("not newest first: %v", deliveryIDs(all))
		}
		pivot := all[4]
		cases := []struct {
			name   string
			filter store.DeliveryFilter
			match  func(store.Delivery) bool
		}{
			{"endpoint", store.DeliveryFilter{EndpointID: a.ID}, func(d store.Delivery) bool { return d.EndpointID == a.ID }},
			{"status", store.DeliveryFilter{Status: store.StatusFailed}, func(d store.Delivery) bool { return d.Status == store.StatusFailed }},
			{"type", store.DeliveryFilter{EventType: "reminder.sent"}, func(d store.Delivery) bool { return d.EventType == "reminder.sent" }},
			{"event", store.DeliveryFilter{EventID: pivot.EventID}, func(d store.Delivery) bool { return d.EventID == pivot.EventID }},
			{"created after, inclusive", store.DeliveryFilter{CreatedAfter: &pivot.CreatedAt},
				func(d store.Delivery) bool { return !d.CreatedAt.Before(pivot.CreatedAt) }},
			{"created before, exclusive", store.DeliveryFilter{CreatedBefore: &pivot.CreatedAt},
				func(d store.Delivery) bool { return d.CreatedAt.Before(pivot.CreatedAt) }},
			{"before ID", store.DeliveryFilter{BeforeID: pivot.ID}, func(d store.Delivery) bool { return d.ID < pivot.ID }},
			{"combined", store.DeliveryFilter{EndpointID: b.ID, EventType: "document.created", Status: store.StatusCancelled},
				func(d store.Delivery) bool {
					return d.EndpointID == b.ID && d.EventType == "document.created" && d.Status == store.StatusCancelled
				}},
			{"not a UUID", store.DeliveryFilter{EventID: "nope"}, func(store.Delivery) bool { return false }},
		}
		for _, c := range cases {
			want := deliveryIDs(slices.DeleteFunc(slices.Clone(all), func(d store.Delivery) bool { return !c.match(d) }))
			if got := deliveryIDs(f.list(c.filter)); !slices.Equal(got, want) {
				t.Errorf("%s: got %v, want %v", c.name, got, want)
			}
		}
		if got := deliveryIDs(f.list(store.DeliveryFilter{Limit: 3})); !slices.Equal(got, deliveryIDs(all[:3])) {
			t.Errorf("limit 3: got %v, want %v", got, deliveryIDs(all[:3]))
		}
	}},
	{"ListDeliveriesPages", func(t *testing.T, f *fixture) {
		f.endpoint()
		f.endpoint()
		for range 4 {
			f.publish("document.created")
		}
		all := deliveryIDs(f.list(store.DeliveryFilter{}))
		var paged []int64
		cursor := int64(0)
		for range len(all) {
			page := f.list(store.DeliveryFilter{BeforeID: cursor, Limit: 3})
			if len(page) == 0 {
				break
			}
			paged = append(paged, deliveryIDs(page)...)
			cursor = page[len(page)-1].ID
		}
		if !slices.Equal(paged, all) {
			t.Errorf("pages %v, want %v", paged, all)
		}
	}},
}

func deliveryIDs(ds []store.Delivery) []int64 {
	ids := make([]int64, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	return ids
}
