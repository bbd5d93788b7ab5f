package storetest

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
)

var eventListTests = []test{
	{"ListEventsFiltersAndPagesNewestFirst", func(t *testing.T, f *fixture) {
		// Two single publishes, then a batch whose events may share one
		// created_at (PostgreSQL's now() is the transaction's), then one more:
		// the cursor must break such ties by ID.
		f.publish("document.created")
		f.publish("signature.created")
		var pubs []store.Publication
		for _, typ := range []string{"document.created", "signature.created", "document.created", "document.created"} {
			pubs = append(pubs, store.Publication{
				Event:   store.Event{ID: store.NewEventID(), Type: typ, Data: json.RawMessage(`{"n":1}`)},
				Options: store.PublishOptions{MaxRetries: 3},
			})
		}
		if _, err := f.s.PublishMany(f.ctx, pubs); err != nil {
			t.Fatalf("publish many: %v", err)
		}
		f.publish("webhook.ping")

		all := f.listEvents(store.EventFilter{})
		if len(all) != 7 {
			t.Fatalf("listed %d events, want 7", len(all))
		}
		for i := 1; i < len(all); i++ {
			a, b := all[i-1], all[i]
			if a.CreatedAt.Before(b.CreatedAt) || (a.CreatedAt.Equal(b.CreatedAt) && a.ID < b.ID) {
				t.Fatalf("not newest first at %d: %v", i, eventIDs(all))
			}
		}
		if all[0].Type != "webhook.ping" || len(all[0].Data) == 0 || all[0].CreatedAt.Location().String() != "UTC" {
			t.Errorf("newest event = %+v", all[0])
		}

		// Pages of 2, each after the cursor of the last, give back the whole list.
		var paged []store.Event
		filter := store.EventFilter{Limit: 2}
		for range 10 {
			page := f.listEvents(filter)
			paged = append(paged, page...)
			if len(page) < 2 {
				break
			}
			c := store.CursorOf(page[len(page)-1])
			filter.Before = &c
		}
		if !slices.Equal(eventIDs(paged), eventIDs(all)) {
			t.Errorf("paged %v, want %v", eventIDs(paged), eventIDs(all))
		}

		pivot := all[3]
		cases := []struct {
			name   string
			filter store.EventFilter
			match  func(store.Event) bool
		}{
			{"type", store.EventFilter{Type: "document.created"}, func(e store.Event) bool { return e.Type == "document.created" }},
			{"created after, inclusive", store.EventFilter{CreatedAfter: &pivot.CreatedAt},
				func(e store.Event) bool { return !e.CreatedAt.Before(pivot.CreatedAt) }},
			{"created before, exclusive", store.EventFilter{CreatedBefore: &pivot.CreatedAt},
				func(e store.Event) bool { return e.CreatedAt.Before(pivot.CreatedAt) }},
			{"type and page", store.EventFilter{Type: "document.created", Before: &store.EventCursor{CreatedAt: pivot.CreatedAt, ID: pivot.ID}},
				func(e store.Event) bool {
					return e.Type == "document.created" &&
						(e.CreatedAt.Before(pivot.CreatedAt) || (e.CreatedAt.Equal(pivot.CreatedAt) && e.ID < pivot.ID))
				}},
			{"unknown type", store.EventFilter{Type: "nope"}, func(store.Event) bool { return false }},
		}
		for _, c := range cases {
			want := eventIDs(slices.DeleteFunc(slices.Clone(all), func(e store.Event) bool { return !c.match(e) }))
			if got := eventIDs(f.listEvents(c.filter)); !slices.Equal(got, want) {
				t.Errorf("%s: got %v, want %v", c.name, got, want)
			}
		}
	}},
}

// listEvents lists events.
func (f *fixture) listEvents(filter store.EventFilter) []store.Event {
	f.t.Helper()
	evs, err := f.s.ListEvents(f.ctx, filter)
	if err != nil {
		f.t.Fatalf("list events %+v: %v", filter, err)
	}
	return evs
}

// eventIDs lists the IDs of events, in order.
func eventIDs(evs []store.Event) []string {
	ids := make([]string, len(evs))
	for i, e := range evs {
		ids[i] = e.ID
	}
	return ids
}
