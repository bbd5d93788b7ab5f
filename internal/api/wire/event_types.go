package wire

import (
	"encoding/json"
	"time"
)

// EventType is an entry of the event-type catalog as the API shows it:
// Schema and Example are JSON, null when the type has none.
type EventType struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Schema      json.RawMessage `json:"schema"`
	Example     json.RawMessage `json:"example"`
	Deprecated  bool            `json:"deprecated"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

// EventTypeCreate is the body of POST /v1/event-types. Schema is a JSON
// Schema (draft 2020-12 unless its $schema says otherwise) for the data of
// the type's events; Example is data valid against it. Both are optional
// (absent or null: none).
type EventTypeCreate struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Schema      json.RawMessage `json:"schema,omitempty"`
	Example     json.RawMessage `json:"example,omitempty"`
	Deprecated  bool            `json:"deprecated,omitempty"`
}

// EventTypeUpdate is the body of PATCH /v1/event-types/{name}: only the
// members given change; a Schema or Example of null removes it.
type EventTypeUpdate struct {
	Description *string         `json:"description,omitempty"`
	Schema      json.RawMessage `json:"schema,omitempty"`
	Example     json.RawMessage `json:"example,omitempty"`
	Deprecated  *bool           `json:"deprecated,omitempty"`
}

// EventTypeList is a page of event types by name; NextCursor is the cursor
// of the next page, "" on the last one.
type EventTypeList struct {
	Data       []EventType `json:"data"`
	NextCursor string      `json:"next_cursor"`
}
