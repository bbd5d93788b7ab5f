package hookrelay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
)

// EventType is an entry of the event-type catalog: a type that the
// application publishes, what it means, and optionally the JSON Schema its
// events' data must match. Publish, PublishNow and PublishMany (and every
// other door: the API, the CLI, the dashboard) refuse an event of a
// catalogued type whose data fails its schema, with an error matching
// ErrInvalid whose Violations say where and how. With
// Config.RequireEventTypes they also refuse types missing from the catalog.
type EventType struct {
	// Name is the event type: printable ASCII without spaces or "*", at
	// most 200 characters. Not "webhook.ping" nor "webhook.verification",
	// which hookrelay sends itself.
	Name string
	// Description says what the type means; at most 1,000 characters.
	Description string
	// Schema is a JSON Schema (draft 2020-12 unless its $schema names
	// another draft) for the data of the type's events, kept as given;
	// empty for none. It must be self-contained: a $ref outside the
	// document is refused, and nothing is ever fetched. At most 64 KiB.
	Schema json.RawMessage
	// Example is example data, valid against Schema; empty for none.
	// `hookrelay trigger` sends it when given no data.
	Example json.RawMessage
	// Deprecated marks a type publishers should stop sending: it publishes
	// still, and endpoint forms mark it.
	Deprecated bool

	// CreatedAt and UpdatedAt are hookrelay's to set.
	CreatedAt time.Time
	UpdatedAt time.Time
}

// EventTypeUpdate is a change to a catalogued type: nil fields are left as
// they are; a Schema or Example pointing to an empty value removes it.
type EventTypeUpdate struct {
	Description *string
	Schema      *json.RawMessage
	Example     *json.RawMessage
	Deprecated  *bool
}

// Violation is one way event data (or a schema, or an example) fails a JSON
// Schema: Location is the JSON pointer of the value at fault ("" for the
// whole), Keyword the schema keyword that failed ("minimum"), Message what
// is wrong.
type Violation = service.Violation

// Violations returns the JSON Schema violations that err reports (a
// publish whose data fails its type's schema, a catalog entry whose schema
// or example is invalid), or nil.
func Violations(err error) []Violation {
	var fe *service.FieldError
	if errors.As(err, &fe) {
		return fe.Violations
	}
	return nil
}

// WithRequireEventTypes sets Config.RequireEventTypes: events whose type is
// not in the event-type catalog are refused.
func WithRequireEventTypes() Option {
	return func(c *Config) error {
		c.RequireEventTypes = true
		return nil
	}
}

// CreateEventType adds t to the catalog; an error matching ErrConflict when
// its name is catalogued already, ErrInvalid when it breaks a rule. The
// client's own publishes apply it at once; other processes sharing the
// database within two seconds.
func (c *Client[TTx]) CreateEventType(ctx context.Context, t EventType) (EventType, error) {
	created, err := c.service.CreateEventType(ctx, store.EventType{
		Name: t.Name, Description: t.Description, Schema: t.Schema, Example: t.Example, Deprecated: t.Deprecated,
	})
	return eventTypeResult(created, err, t.Name)
}

// GetEventType returns one catalogued type, or an error matching
// ErrNotFound.
func (c *Client[TTx]) GetEventType(ctx context.Context, name string) (EventType, error) {
	t, err := c.store.GetEventType(ctx, name)
	return eventTypeResult(t, err, name)
}

// ListEventTypes returns the whole catalog, by name (byte order).
func (c *Client[TTx]) ListEventTypes(ctx context.Context) ([]EventType, error) {
	all, err := c.store.ListEventTypes(ctx, store.EventTypeFilter{})
	if err != nil {
		return nil, fmt.Errorf("hookrelay: %w", public(err))
	}
	out := make([]EventType, len(all))
	for i, t := range all {
		out[i] = eventTypeOf(t)
	}
	return out, nil
}

// UpdateEventType applies u to catalogued type name and returns it; the
// result must pass the rules of CreateEventType (a new schema must accept
// the example kept). An error matching ErrNotFound when there is none, and
// ErrConflict when other updates of the type kept landing between its
// read and its write (it tries 5 times).
func (c *Client[TTx]) UpdateEventType(ctx context.Context, name string, u EventTypeUpdate) (EventType, error) {
	t, err := c.service.UpdateEventType(ctx, name, store.EventTypePatch{
		Description: u.Description, Schema: u.Schema, Example: u.Example, Deprecated: u.Deprecated,
	})
	return eventTypeResult(t, err, name)
}

// DeleteEventType removes type name from the catalog; its events are kept.
// An error matching ErrNotFound when there is none.
func (c *Client[TTx]) DeleteEventType(ctx context.Context, name string) error {
	if err := c.service.DeleteEventType(ctx, name); err != nil {
		return fmt.Errorf("hookrelay: %w", public(err))
	}
	return nil
}

// eventTypeResult is the library's answer of a call on type name.
func eventTypeResult(t store.EventType, err error, name string) (EventType, error) {
	switch {
	case err == nil:
		return eventTypeOf(t), nil
	case errors.Is(err, ErrInvalid):
		return EventType{}, fmt.Errorf("hookrelay: event type %q: %w", name, err)
	}
	return EventType{}, fmt.Errorf("hookrelay: %w", public(err))
}

// eventTypeOf is the library's view of t.
func eventTypeOf(t store.EventType) EventType {
	return EventType{
		Name: t.Name, Description: t.Description, Schema: t.Schema, Example: t.Example,
		Deprecated: t.Deprecated, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
	}
}
