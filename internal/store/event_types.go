package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// MaxEventTypeDescription is the longest description of a catalogued event
// type, in characters.
const MaxEventTypeDescription = 1000

// EventType is an entry of the event-type catalog (the table
// hookrelay_event_types): a type that publishers send, with what it means
// and, optionally, the JSON Schema its events' data must match. The store
// keeps Schema and Example as the text given; the service checks them
// (service.CheckEventType).
type EventType struct {
	// Name is the event type, the primary key: a type that
	// ValidateEventType accepts (no "*" pattern).
	Name string
	// Description says what the type means; at most
	// MaxEventTypeDescription characters.
	Description string
	// Schema is a JSON Schema (draft 2020-12 unless it says otherwise) for
	// the data of the type's events, stored byte for byte; nil for none.
	Schema json.RawMessage
	// Example is example data of the type, valid against Schema; nil for
	// none.
	Example json.RawMessage
	// Deprecated marks a type that publishers should stop sending: it is
	// published still, and endpoint forms show it as deprecated.
	Deprecated bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// EventTypePatch is a change to a catalogued event type: the fields it sets
// are written, the others are left as they are. A Schema or Example set to
// an empty value removes it.
type EventTypePatch struct {
	Description *string
	Schema      *json.RawMessage
	Example     *json.RawMessage
	Deprecated  *bool
	// IfUpdatedAt, when set, makes the write conditional: it happens only
	// while the stored UpdatedAt is this instant (to the microsecond), and
	// UpdateEventType returns ErrConflict otherwise, so that a check made
	// on the row read holds for the row written. Every write moves
	// UpdatedAt forward by at least a microsecond, so no two writes leave
	// the same value.
	IfUpdatedAt *time.Time
}

// ConflictOrNotFound is the error of a conditional UpdateEventType that
// wrote no row: ErrConflict when type name exists (its UpdatedAt moved on),
// as get tells, or else ErrNotFound.
func ConflictOrNotFound(name string, get func(name string) (EventType, error)) error {
	_, err := get(name)
	if err == nil {
		return fmt.Errorf("event type %q changed since it was read: %w", name, ErrConflict)
	}
	return err
}

// EventTypeFilter selects event types in ListEventTypes.
type EventTypeFilter struct {
	// AfterName is the cursor: types whose name sorts after it (byte order).
	AfterName string
	// Deprecated, when set, keeps only deprecated (true) or current (false)
	// types.
	Deprecated *bool
	// Limit is the most types returned; 0 means no limit.
	Limit int
}

// NullJSON is j as a nullable text column: nil when j is empty (none).
func NullJSON(j json.RawMessage) any {
	if len(j) == 0 {
		return nil
	}
	return string(j)
}

// PatchJSON is a patch's JSON field as two parameters: the value (NullJSON)
// and whether the patch sets it.
func PatchJSON(j *json.RawMessage) (value any, set bool) {
	if j == nil {
		return nil, false
	}
	return NullJSON(*j), true
}

// ConflictIfMissing turns the ErrNotFound of an insert that did nothing
// (ON CONFLICT DO NOTHING RETURNING: the key exists) into ErrConflict.
func ConflictIfMissing(err error) error {
	if errors.Is(err, ErrNotFound) {
		return ErrConflict
	}
	return err
}
