package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/client"
)

// eventTypesCmd manages the event-type catalog through the API.
type eventTypesCmd struct {
	Create eventTypesCreateCmd `cmd:"" help:"Catalogue an event type, with an optional JSON Schema for its data and an example."`
	List   eventTypesListCmd   `cmd:"" help:"List the catalogued event types."`
	Get    eventTypesGetCmd    `cmd:"" help:"Show one event type with its schema and example."`
	Update eventTypesUpdateCmd `cmd:"" help:"Change some fields of an event type."`
	Delete eventTypesDeleteCmd `cmd:"" aliases:"rm" help:"Remove an event type from the catalog (its events are kept)."`
}

// onEventType holds the arguments of a command on one event type.
type onEventType struct {
	apiFlags
	Name string `arg:"" help:"Event type, e.g. invoice.paid."`
}

type eventTypesCreateCmd struct {
	onEventType
	Description string `help:"What the type means (at most 1000 characters)."`
	Schema      string `placeholder:"JSON|@FILE" help:"JSON Schema (draft 2020-12 unless $schema says otherwise) of the events' data, as JSON text, or @FILE to read it from a file."`
	Example     string `placeholder:"JSON|@FILE" help:"Example data, valid against the schema (hookrelay trigger sends it), as JSON text, or @FILE to read it from a file."`
	Deprecated  bool   `help:"Mark the type deprecated."`
}

func (c *eventTypesCreateCmd) Run(e Env) error {
	schema, err := jsonFlag("schema", c.Schema)
	if err != nil {
		return err
	}
	example, err := jsonFlag("example", c.Example)
	if err != nil {
		return err
	}
	req := wire.EventTypeCreate{Name: c.Name, Description: c.Description, Schema: schema, Example: example, Deprecated: c.Deprecated}
	return callAPI(e, c.apiFlags, func(cl *client.Client) (wire.EventType, error) {
		return cl.CreateEventType(e.Ctx, req)
	}, printEventType)
}

type eventTypesListCmd struct {
	apiFlags
	Deprecated bool   `xor:"state" help:"Only deprecated types."`
	Current    bool   `xor:"state" help:"Only types that are not deprecated."`
	Limit      int    `default:"50" help:"Types per page (1 to 500)."`
	Cursor     string `placeholder:"NAME" help:"Continue from this cursor (printed by the previous page)."`
}

func (c *eventTypesListCmd) Run(e Env) error {
	f := client.EventTypeFilter{Cursor: c.Cursor, Limit: c.Limit}
	if c.Deprecated || c.Current {
		f.Deprecated = &c.Deprecated
	}
	return callAPI(e, c.apiFlags, func(cl *client.Client) (wire.EventTypeList, error) {
		return cl.ListEventTypes(e.Ctx, f)
	}, func(w io.Writer, page wire.EventTypeList) {
		row(w, "NAME", "DEPRECATED", "SCHEMA", "EXAMPLE", "DESCRIPTION")
		for _, t := range page.Data {
			row(w, t.Name, strconv.FormatBool(t.Deprecated), yesNo(!isNull(t.Schema)), yesNo(!isNull(t.Example)), orDash(t.Description))
		}
		moreHint(e.Stderr, "cursor", page.NextCursor)
	})
}

type eventTypesGetCmd struct{ onEventType }

func (c *eventTypesGetCmd) Run(e Env) error {
	return callAPI(e, c.apiFlags, func(cl *client.Client) (wire.EventType, error) {
		return cl.GetEventType(e.Ctx, c.Name)
	}, printEventType)
}

type eventTypesUpdateCmd struct {
	onEventType
	Description *string `help:"New description."`
	Schema      string  `placeholder:"JSON|@FILE" xor:"schema" help:"New JSON Schema of the events' data, as JSON text, or @FILE to read it from a file."`
	NoSchema    bool    `name:"no-schema" xor:"schema" help:"Remove the schema."`
	Example     string  `placeholder:"JSON|@FILE" xor:"example" help:"New example data, as JSON text, or @FILE to read it from a file."`
	NoExample   bool    `name:"no-example" xor:"example" help:"Remove the example."`
	Deprecated  *bool   `negatable:"" help:"Mark the type deprecated (--no-deprecated: current again)."`
}

func (c *eventTypesUpdateCmd) Run(e Env) error {
	req := wire.EventTypeUpdate{Description: c.Description, Deprecated: c.Deprecated}
	var err error
	if req.Schema, err = patchJSONFlag("schema", c.Schema, c.NoSchema); err != nil {
		return err
	}
	if req.Example, err = patchJSONFlag("example", c.Example, c.NoExample); err != nil {
		return err
	}
	if req.Description == nil && req.Deprecated == nil && req.Schema == nil && req.Example == nil {
		return usageError{fmt.Errorf("nothing to change: give at least one of --description, --schema, --no-schema, --example, --no-example, --deprecated, --no-deprecated")}
	}
	return callAPI(e, c.apiFlags, func(cl *client.Client) (wire.EventType, error) {
		return cl.UpdateEventType(e.Ctx, c.Name, req)
	}, printEventType)
}

type eventTypesDeleteCmd struct{ onEventType }

func (c *eventTypesDeleteCmd) Run(e Env) error {
	return callAPI(e, c.apiFlags, func(cl *client.Client) (map[string]string, error) {
		return map[string]string{"deleted": c.Name}, cl.DeleteEventType(e.Ctx, c.Name)
	}, func(w io.Writer, _ map[string]string) {
		fmt.Fprintf(w, "event type %s deleted (its events are kept)\n", c.Name)
	})
}

// jsonFlag reads the JSON of flag --name: the value itself, or the file
// that "@path" names; nil when the value is empty.
func jsonFlag(name, value string) (json.RawMessage, error) {
	if value == "" {
		return nil, nil
	}
	raw := []byte(value)
	if path, ok := strings.CutPrefix(value, "@"); ok {
		var err error
		if raw, err = os.ReadFile(path); err != nil {
			return nil, usageError{fmt.Errorf("--%s: %w", name, err)}
		}
	}
	raw = bytes.TrimSpace(raw)
	if !json.Valid(raw) {
		return nil, usageError{fmt.Errorf("--%s: is not valid JSON", name)}
	}
	return raw, nil
}

// patchJSONFlag is jsonFlag for an update: null when remove is set (the
// API removes the value), nil when the flag is not given.
func patchJSONFlag(name, value string, remove bool) (json.RawMessage, error) {
	if remove {
		return json.RawMessage("null"), nil
	}
	return jsonFlag(name, value)
}

// printEventType shows one event type, its schema and example indented.
func printEventType(w io.Writer, t wire.EventType) {
	row(w, "Name:", t.Name)
	row(w, "Description:", orDash(t.Description))
	row(w, "Deprecated:", strconv.FormatBool(t.Deprecated))
	row(w, "Schema:", indentJSON(t.Schema))
	row(w, "Example:", indentJSON(t.Example))
	row(w, "Created:", fmtTime(&t.CreatedAt))
	row(w, "Updated:", fmtTime(&t.UpdatedAt))
}

// indentJSON is j on one line, or "-" for none.
func indentJSON(j json.RawMessage) string {
	if isNull(j) {
		return "-"
	}
	var b bytes.Buffer
	if err := json.Compact(&b, j); err != nil {
		return string(j)
	}
	return b.String()
}

// isNull reports whether j is absent or null.
func isNull(j json.RawMessage) bool {
	t := bytes.TrimSpace(j)
	return len(t) == 0 || string(t) == "null"
}

// yesNo is "yes" or "no".
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// catalogExample returns the example data of eventType in the catalog, or
// nil when it has none or is not catalogued.
func catalogExample(ctx context.Context, cl *client.Client, eventType string) (json.RawMessage, error) {
	t, err := cl.GetEventType(ctx, eventType)
	switch {
	case client.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, err
	case isNull(t.Example) && !isNull(t.Schema):
		// A sample body would not pass the type's schema: say why instead.
		return nil, fmt.Errorf("%s has a schema in the event-type catalog but no example: give it one with `hookrelay event-types update %s --example JSON`", eventType, eventType)
	case isNull(t.Example):
		return nil, nil
	}
	return t.Example, nil
}
