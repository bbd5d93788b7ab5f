package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

func TestCLIEventTypes(t *testing.T) {
	s := newCLIServer(t)
	schemaFile := filepath.Join(t.TempDir(), "schema.json")
	schema := `{"type":"object","required":["amount"],"properties":{"amount":{"type":"number","minimum":0}}}`
	if err := os.WriteFile(schemaFile, []byte(schema+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := s.ok("event-types", "create", "invoice.paid", "--description", "An invoice was paid.",
		"--schema", "@"+schemaFile, "--example", `{"amount":12}`)
	wantLines(t, "create", out, "Name:", "invoice.paid", "An invoice was paid.", `"minimum":0`, `{"amount":12}`)
	s.fails(1, "conflict", "event-types", "create", "invoice.paid")
	s.fails(1, "example: does not match the schema: /amount: minimum", "event-types", "create", "bad.example",
		"--schema", schema, "--example", `{"amount":-1}`)
	s.fails(2, "--schema: is not valid JSON", "event-types", "create", "a.b", "--schema", "{")
	s.ok("event-types", "create", "a/b.c", "--deprecated")

	wantLines(t, "list", s.ok("event-types", "list"), "NAME", "DEPRECATED", "a/b.c", "invoice.paid", "yes")
	var page wire.EventTypeList
	s.okJSON(&page, "event-types", "list", "--current")
	if len(page.Data) != 1 || page.Data[0].Name != "invoice.paid" {
		t.Errorf("list --current = %+v", page.Data)
	}
	wantLines(t, "get a name with a slash", s.ok("event-types", "get", "a/b.c"), "a/b.c", "Deprecated:", "true")

	wantLines(t, "update", s.ok("event-types", "update", "invoice.paid", "--deprecated", "--no-example"), "Deprecated:", "true", "Example:      -")
	s.fails(2, "nothing to change", "event-types", "update", "invoice.paid")
	wantLines(t, "delete", s.ok("event-types", "delete", "a/b.c"), "event type a/b.c deleted")
	s.fails(1, "not found", "event-types", "get", "a/b.c")

	// Names that are awkward in a URL path round-trip; dot segments are
	// refused, since a URL collapses them.
	for _, name := range []string{"new", "a?b#c", "%41", "a/../b"} {
		s.ok("event-types", "create", name, "--description", "odd")
		wantLines(t, "get "+name, s.ok("event-types", "get", name), name, "odd")
		s.ok("event-types", "delete", name)
	}
	s.fails(1, `"." cannot be catalogued`, "event-types", "create", ".")
	s.fails(1, `".." cannot be catalogued`, "event-types", "create", "..")
}

func TestCLITriggerSendsTheCatalogExample(t *testing.T) {
	s := newCLIServer(t)
	s.ok("webhooks", "add", "--url", "http://127.0.0.1:9/a")
	s.ok("event-types", "create", "invoice.paid", "--schema", `{"required":["amount"]}`, "--example", `{"amount":12,"currency":"EUR"}`)
	var res wire.PublishResponse
	s.okJSON(&res, "trigger", "invoice.paid")
	var data map[string]any
	if err := json.Unmarshal(res.Event.Data, &data); err != nil || data["amount"] != 12.0 || data["currency"] != "EUR" {
		t.Errorf("trigger data = %s (%v), want the catalog's example", res.Event.Data, err)
	}
	wantLines(t, "text", s.ok("trigger", "invoice.paid"), "its data is the example of invoice.paid in the event-type catalog")
	// A catalogued type with a schema but no example: a sample body would
	// not pass the schema, so trigger says what to do instead.
	s.ok("event-types", "create", "refund.issued", "--schema", `{"required":["amount"]}`)
	s.fails(1, "refund.issued has a schema in the event-type catalog but no example", "trigger", "refund.issued")
}

func TestCLIPublishChecksTheCatalog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hookrelay.db")
	t.Setenv("DATABASE_URL", path)
	s := newCLIServerOn(t, testenv.SQLiteAt(t, path))
	s.ok("event-types", "create", "invoice.paid", "--schema", `{"properties":{"amount":{"minimum":0}}}`)
	r := runCLI("publish", "--type", "invoice.paid", "--data", `{"amount":-1}`)
	if r.code != 2 || !strings.Contains(r.stderr, "--data: /amount: minimum: got -1, want 0") {
		t.Errorf("publish bad data: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := runCLI("publish", "--type", "other.type", "--require-event-types"); r.code != 2 || !strings.Contains(r.stderr, "--type:") {
		t.Errorf("publish uncatalogued with --require-event-types: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := runCLI("publish", "--type", "invoice.paid", "--data", `{"amount":1}`, "--require-event-types"); r.code != 0 {
		t.Errorf("publish valid: exit %d, stderr %q", r.code, r.stderr)
	}
}
