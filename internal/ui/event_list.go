package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// eventsPerPage is the page size of the recent events list.
const eventsPerPage = 50

// eventRange is one choice of the time-range filter: events created within
// Within of now; 0 means any time.
type eventRange struct {
	Value  string // the query value, "" for any time
	Label  string
	Within time.Duration
}

// eventRanges are the choices of the time-range filter, in menu order.
var eventRanges = []eventRange{
	{"", "Any time", 0},
	{"1h", "Last hour", time.Hour},
	{"24h", "Last 24 hours", 24 * time.Hour},
	{"7d", "Last 7 days", 7 * 24 * time.Hour},
	{"30d", "Last 30 days", 30 * 24 * time.Hour},
}

// eventFilter is the filter form of the recent events list, as typed.
type eventFilter struct {
	Type   string
	Tenant string
	Range  string
}

// Ranges lists the choices of the time-range select.
func (eventFilter) Ranges() []eventRange { return eventRanges }

// query is the filter as URL parameters, without the empty ones.
func (f eventFilter) query() url.Values {
	q := url.Values{}
	if f.Type != "" {
		q.Set("type", f.Type)
	}
	if f.Tenant != "" {
		q.Set("tenant_id", f.Tenant)
	}
	if f.Range != "" {
		q.Set("range", f.Range)
	}
	return q
}

// recentEvents is the list part of the events page.
type recentEvents struct {
	Filter eventFilter
	Events []store.Event
	// Error explains a filter that cannot be used.
	Error string
	// First is the URL of the first page; Next of the next (older) one, ""
	// on the last; Paged is set beyond the first page.
	First string
	Next  string
	Paged bool
}

// listRecentEvents reads GET /ui/events?type=&tenant_id=&range=&cursor= and lists
// those events, newest first, from the store, with the rules of the API's
// GET /v1/events; it returns the page's status (400 for a filter that
// cannot be used).
func (s *server) listRecentEvents(r *http.Request) (*recentEvents, int, error) {
	q := r.URL.Query()
	v := &recentEvents{Filter: eventFilter{Type: q.Get("type"), Tenant: q.Get("tenant_id"), Range: q.Get("range")}}
	v.First = s.paths.to("events?") + v.Filter.query().Encode()
	cursor := q.Get("cursor")
	v.Paged = cursor != ""
	f := store.EventFilter{Type: v.Filter.Type, Limit: eventsPerPage + 1}
	known := false
	for _, rg := range eventRanges {
		if rg.Value == v.Filter.Range {
			known = true
			if rg.Within > 0 {
				after := time.Now().Add(-rg.Within)
				f.CreatedAfter = &after
			}
		}
	}
	if !known {
		v.Error = fmt.Sprintf("Range %q is not one of the choices.", v.Filter.Range)
		return v, http.StatusBadRequest, nil
	}
	if err := store.CheckText(f.Type); err != nil {
		v.Error = sentence(fmt.Sprintf("type: %v", err))
		return v, http.StatusBadRequest, nil
	}
	tenant, msg, err := s.tenantFilter(r.Context(), v.Filter.Tenant)
	if err != nil {
		return nil, 0, err
	}
	if msg != "" {
		v.Error = msg
		return v, http.StatusBadRequest, nil
	}
	f.TenantID = tenant
	if cursor != "" {
		c, err := store.ParseEventCursor(cursor)
		if err != nil {
			v.Error = sentence(fmt.Sprintf("cursor: %v", err))
			return v, http.StatusBadRequest, nil
		}
		f.Before = &c
	}
	events, err := s.store.ListEvents(r.Context(), f)
	if err != nil {
		return nil, 0, fmt.Errorf("list events: %w", err)
	}
	events, more := store.CutPage(events, eventsPerPage)
	v.Events = events
	if more {
		next := v.Filter.query()
		next.Set("cursor", store.CursorOf(events[len(events)-1]).String())
		v.Next = s.paths.to("events?") + next.Encode()
	}
	return v, http.StatusOK, nil
}
