package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

// amountSchema requires a non-negative amount; its spacing is kept.
const amountSchema = `{"type": "object", "required": ["amount"], "properties": {"amount": {"type": "number", "minimum": 0}}}`

func TestEventTypes(t *testing.T) {
	testenv.EachStoreParallel(t, map[string]func(*testing.T, store.Store){
		"CreateGetListUpdateDelete": testEventTypeLifeCycle,
		"Validation":                testEventTypeValidation,
		"PublishChecksData":         testPublishChecksData,
	})
}

func testEventTypeLifeCycle(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	var created wire.EventType
	s.call("POST", "/v1/event-types", `{"name":"invoice.paid","description":"An invoice was paid.","schema":`+amountSchema+`,"example":{"amount":12}}`,
		http.StatusCreated, &created)
	if created.Name != "invoice.paid" || created.Description != "An invoice was paid." || created.Deprecated || created.CreatedAt.IsZero() {
		t.Errorf("created %+v", created)
	}
	var schema map[string]any
	if err := json.Unmarshal(created.Schema, &schema); err != nil || schema["type"] != "object" {
		t.Errorf("schema %s (%v)", created.Schema, err)
	}
	if stored, _ := st.GetEventType(t.Context(), "invoice.paid"); string(stored.Schema) != amountSchema {
		t.Errorf("stored schema %q, want the text as given", stored.Schema)
	}
	s.wantError("POST", "/v1/event-types", `{"name":"invoice.paid"}`, http.StatusConflict, "conflict")
	s.call("POST", "/v1/event-types", `{"name":"a/b.c","deprecated":true}`, http.StatusCreated, nil)

	var got wire.EventType
	s.call("GET", "/v1/event-types/"+url.PathEscape("a/b.c"), nil, http.StatusOK, &got)
	if got.Name != "a/b.c" || !got.Deprecated || string(got.Schema) != "null" || string(got.Example) != "null" {
		t.Errorf("got %+v, want the bare deprecated type with null schema and example", got)
	}
	s.wantError("GET", "/v1/event-types/nope", nil, http.StatusNotFound, "not_found")

	var page wire.EventTypeList
	s.call("GET", "/v1/event-types?limit=1", nil, http.StatusOK, &page)
	if len(page.Data) != 1 || page.Data[0].Name != "a/b.c" || page.NextCursor != "a/b.c" {
		t.Fatalf("first page %+v", page)
	}
	s.call("GET", "/v1/event-types?limit=1&cursor="+url.QueryEscape(page.NextCursor), nil, http.StatusOK, &page)
	if len(page.Data) != 1 || page.Data[0].Name != "invoice.paid" || page.NextCursor != "" {
		t.Fatalf("second page %+v", page)
	}
	s.call("GET", "/v1/event-types?deprecated=false", nil, http.StatusOK, &page)
	if len(page.Data) != 1 || page.Data[0].Name != "invoice.paid" {
		t.Errorf("current types %+v", page)
	}

	var updated wire.EventType
	s.call("PATCH", "/v1/event-types/invoice.paid", `{"deprecated":true,"example":null}`, http.StatusOK, &updated)
	if !updated.Deprecated || string(updated.Example) != "null" || updated.Description != "An invoice was paid." || string(updated.Schema) == "null" {
		t.Errorf("updated %+v, want deprecated, no example, the rest kept", updated)
	}
	s.wantError("PATCH", "/v1/event-types/nope", `{"deprecated":true}`, http.StatusNotFound, "not_found")
	s.call("DELETE", "/v1/event-types/invoice.paid", nil, http.StatusNoContent, nil)
	s.wantError("DELETE", "/v1/event-types/invoice.paid", nil, http.StatusNotFound, "not_found")
}

func testEventTypeValidation(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	for _, tc := range []struct {
		body, field, says string
		details           bool
	}{
		{`{"name":"invoice.*"}`, "name", "'*'", false},
		{`{"name":"a.b","schema":{"properties":{"amount":{"minimum":"zero"}}}}`, "schema", "/properties/amount/minimum: type:", true},
		{`{"name":"a.b","schema":{"$ref":"https://example.com/s.json"}}`, "schema", "refers outside itself", false},
		{`{"name":"a.b","schema":` + amountSchema + `,"example":{"amount":-3}}`, "example", "/amount: minimum:", true},
		{`{"name":"a.b","schema":{"$ref":"#"}}`, "schema", "reference cycle that never descends into the data", false},
		{`{"name":"a.b","schema":{"type":"string","type":"number"}}`, "schema", `has the key "type" twice`, false},
		{`{"name":".."}`, "name", "cannot be catalogued", false},
	} {
		e := s.wantError("POST", "/v1/event-types", tc.body, http.StatusUnprocessableEntity, "validation_failed")
		if e.Field != tc.field || !strings.Contains(e.Message, tc.says) || (len(e.Details) > 0) != tc.details {
			t.Errorf("%s: error %+v, want field %s saying %q (details %v)", tc.body, e, tc.field, tc.says, tc.details)
		}
	}
	s.call("POST", "/v1/event-types", `{"name":"a.b","schema":`+amountSchema+`,"example":{"amount":1}}`, http.StatusCreated, nil)
	e := s.wantError("PATCH", "/v1/event-types/a.b", `{"schema":{"properties":{"amount":{"minimum":2}}}}`, http.StatusUnprocessableEntity, "validation_failed")
	if e.Field != "example" {
		t.Errorf("a schema that refuses the example kept: %+v, want field example", e)
	}
}

func testPublishChecksData(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	s.call("POST", "/v1/event-types", `{"name":"invoice.paid","schema":`+amountSchema+`}`, http.StatusCreated, nil)
	e := s.wantError("POST", "/v1/events", `{"type":"invoice.paid","data":{"amount":-1}}`, http.StatusUnprocessableEntity, "validation_failed")
	want := []wire.SchemaViolation{{Location: "/amount", Keyword: "minimum", Message: "got -1, want 0"}}
	if e.Field != "data" || e.Message != "data: /amount: minimum: got -1, want 0" || len(e.Details) != 1 || e.Details[0] != want[0] {
		t.Errorf("error %+v, want field data naming /amount and minimum, with details", e)
	}
	s.call("POST", "/v1/events", `{"type":"invoice.paid","data":{"amount":1}}`, http.StatusAccepted, nil)

	// Data too costly to check is refused before the validator runs.
	recursive := `{"anyOf":[{"type":"object","required":["leaf"],"properties":{"child":{"$ref":"#"}}},{"type":"object","required":["children"],"properties":{"child":{"$ref":"#"}}}]}`
	s.call("POST", "/v1/event-types", `{"name":"tree.grown","schema":`+recursive+`}`, http.StatusCreated, nil)
	nested := strings.Repeat(`{"child":`, 20) + "{}" + strings.Repeat("}", 20)
	e = s.wantError("POST", "/v1/events", `{"type":"tree.grown","data":`+nested+`}`, http.StatusUnprocessableEntity, "validation_failed")
	if e.Field != "data" || !strings.Contains(e.Message, `data too complex to check against the schema of "tree.grown": more than 100000 schema evaluations`) {
		t.Errorf("costly data: %+v", e)
	}

	var batch wire.PublishBatchResponse
	s.call("POST", "/v1/events/batch", `{"events":[{"type":"invoice.paid","data":{"amount":1}},{"type":"invoice.paid","data":{}}]}`, http.StatusOK, &batch)
	if len(batch.Results) != 2 || batch.Results[0].Status != http.StatusAccepted || batch.Results[1].Status != http.StatusUnprocessableEntity {
		t.Fatalf("batch %+v, want the second refused", batch)
	}
	if e := batch.Results[1].Error; e == nil || e.Field != "data" || len(e.Details) != 1 || e.Details[0].Keyword != "required" || e.Details[0].Location != "" {
		t.Errorf("batch error %+v, want data's required at the root, with details", e)
	}
}
