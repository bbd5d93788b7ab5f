package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// MaxEventTypeLength is the longest accepted event type.
const MaxEventTypeLength = 200

// MaxOrderingKeyLength is the longest accepted ordering key, in bytes.
const MaxOrderingKeyLength = 255

// NewEventID returns a new time-ordered (version 7) UUID for an event.
func NewEventID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// CanonicalEventID returns id in the canonical form that events are stored
// in (lower-case, hyphenated), or false when id is not a UUID.
func CanonicalEventID(id string) (string, bool) {
	parsed, err := uuid.Parse(id)
	if err != nil {
		return "", false
	}
	return parsed.String(), true
}

// FieldError is a validation failure of one named input field.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Normalize checks an event about to be published and fills its defaults: a
// new ID when none is given, {} for missing data. Data must pass
// CheckEventData; the JSON whitespace around it is dropped, and the rest is
// stored and sent byte for byte. OrderingKey must pass ValidateOrderingKey,
// TenantID ValidateTenantID's TenantText rule.
// A trace context that TraceContext does not keep is dropped, not refused.
// Errors are *FieldError.
func (ev *Event) Normalize() error {
	if ev.ID == "" {
		ev.ID = NewEventID()
	} else if id, ok := CanonicalEventID(ev.ID); !ok {
		return &FieldError{"id", fmt.Sprintf("%q is not a UUID", ev.ID)}
	} else {
		ev.ID = id
	}
	if err := ValidateEventType(ev.Type); err != nil {
		return &FieldError{"type", err.Error()}
	}
	if err := ValidateOrderingKey(ev.OrderingKey); err != nil {
		return &FieldError{"ordering_key", err.Error()}
	}
	// The text rule, which UUIDs pass too; a store whose TenantFormat is
	// TenantUUID checks the rest.
	if _, err := TenantFieldError(ev.TenantID, TenantText); err != nil {
		return err
	}
	if len(bytes.TrimSpace(ev.Data)) == 0 {
		ev.Data = json.RawMessage("{}")
	} else if err := CheckEventData(ev.Data); err != nil {
		return &FieldError{"data", err.Error()}
	}
	// What is stored is what receivers get, byte for byte: the data without
	// the JSON whitespace around it.
	ev.Data = bytes.Trim(ev.Data, " \t\r\n")
	ev.TraceParent, ev.TraceState = TraceContext(ev.TraceParent, ev.TraceState)
	return nil
}

// ValidateOrderingKey checks an event's ordering key: empty (no key), or at
// most MaxOrderingKeyLength bytes of text that CheckText accepts.
func ValidateOrderingKey(k string) error {
	if len(k) > MaxOrderingKeyLength {
		return fmt.Errorf("is longer than %d bytes", MaxOrderingKeyLength)
	}
	return CheckText(k)
}

// ValidateEventType checks a published event type: non-empty, at most
// MaxEventTypeLength printable ASCII characters without spaces or "*".
func ValidateEventType(t string) error {
	if t == "" {
		return errors.New("is required")
	}
	if len(t) > MaxEventTypeLength {
		return fmt.Errorf("is longer than %d characters", MaxEventTypeLength)
	}
	for _, r := range t {
		if r <= ' ' || r > '~' || r == '*' {
			return fmt.Errorf("%q: only printable ASCII without spaces or '*' is allowed", t)
		}
	}
	return nil
}
