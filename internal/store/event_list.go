package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// EventFilter selects events in ListEvents. Zero fields select everything.
type EventFilter struct {
	// Type keeps events of exactly this type.
	Type string
	// TenantID, when set, keeps the events of this tenant.
	TenantID string
	// CreatedAfter keeps events created at or after it (inclusive).
	CreatedAfter *time.Time
	// CreatedBefore keeps events created before it (exclusive).
	CreatedBefore *time.Time
	// Before is the cursor: keep events that come after it in the list's
	// order (created_at, then ID, both descending), that is events strictly
	// older than it, or as old with a smaller ID.
	Before *EventCursor
	// Limit is the most events returned; 0 means no limit.
	Limit int
}

// EventCursor is a position in the list of events: the creation time (to
// the microsecond, which both stores keep) and ID of the last event of a page.
type EventCursor struct {
	CreatedAt time.Time
	ID        string
}

// CursorOf is the position of ev in the list of events.
func CursorOf(ev Event) EventCursor { return EventCursor{CreatedAt: ev.CreatedAt, ID: ev.ID} }

// String encodes the cursor for the API: "<unix microseconds>_<event ID>".
func (c EventCursor) String() string {
	return strconv.FormatInt(c.CreatedAt.UnixMicro(), 10) + "_" + c.ID
}

// ParseEventCursor decodes EventCursor.String's form; the error says what is
// wrong with it.
func ParseEventCursor(s string) (EventCursor, error) {
	rawTime, rawID, ok := strings.Cut(s, "_")
	us, err := strconv.ParseInt(rawTime, 10, 64)
	if !ok || err != nil {
		return EventCursor{}, fmt.Errorf("%q is not a cursor of this list (use next_cursor)", s)
	}
	id, ok := CanonicalEventID(rawID)
	if !ok {
		return EventCursor{}, fmt.Errorf("%q is not a cursor of this list (use next_cursor)", s)
	}
	return EventCursor{CreatedAt: time.UnixMicro(us).UTC(), ID: id}, nil
}
