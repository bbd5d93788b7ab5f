package api

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/store"
)

// openAPIDoc is the part of openapi.json that the tests compare with the code.
type openAPIDoc struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"schemas"`
	} `json:"components"`
}

func loadOpenAPI(t *testing.T) openAPIDoc {
	t.Helper()
	var doc openAPIDoc
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return doc
}

// TestOpenAPIDocumentsEveryRoute fails when a route is missing from
// openapi.json, or documented there but not served.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	doc := loadOpenAPI(t)
	var served, documented []string
	for _, rt := range (&server{}).routes() {
		served = append(served, rt.method+" "+rt.path)
	}
	for path, item := range doc.Paths {
		for method := range item {
			if method != "parameters" {
				documented = append(documented, strings.ToUpper(method)+" "+path)
			}
		}
	}
	for _, r := range served {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is served but missing from openapi.json", r)
		}
	}
	for _, r := range documented {
		if !slices.Contains(served, r) {
			t.Errorf("route %s is in openapi.json but not served", r)
		}
	}
}

// TestOpenAPISchemasMatchWireTypes fails when a JSON field of the API is
// missing from its schema, or a schema lists a field the API does not have.
func TestOpenAPISchemasMatchWireTypes(t *testing.T) {
	doc := loadOpenAPI(t)
	types := map[string]any{
		"Endpoint": wire.Endpoint{}, "EndpointCreate": wire.EndpointCreate{}, "EndpointUpdate": wire.EndpointUpdate{},
		"EndpointList": wire.EndpointList{}, "DisableRequest": wire.DisableRequest{},
		"RotateSecretRequest": wire.RotateSecretRequest{}, "PingResponse": wire.PingResponse{},
		"PublishRequest": wire.PublishRequest{}, "PublishResponse": wire.PublishResponse{}, "Event": wire.Event{},
		"EventDetail": wire.EventDetail{}, "EventList": wire.EventList{}, "Delivery": wire.Delivery{}, "DeliveryDetail": wire.DeliveryDetail{},
		"Attempt": wire.Attempt{}, "DeliveryList": wire.DeliveryList{}, "ReplayRequest": wire.ReplayRequest{},
		"ReplayResponse": wire.ReplayResponse{}, "Health": wire.Health{}, "Error": wire.ErrorBody{},
		"ErrorDetail": wire.Error{}, "PublishBatchRequest": wire.PublishBatchRequest{},
		"PublishBatchResponse": wire.PublishBatchResponse{}, "PublishBatchResult": wire.PublishBatchResult{},
		"Recovery": wire.Recovery{}, "SchemaViolation": wire.SchemaViolation{},
		"EventType": wire.EventType{}, "EventTypeCreate": wire.EventTypeCreate{}, "EventTypeUpdate": wire.EventTypeUpdate{},
		"EventTypeList":       wire.EventTypeList{},
		"PortalSessionCreate": wire.PortalSessionCreate{}, "PortalBranding": wire.PortalBranding{}, "PortalSession": wire.PortalSession{},
	}
	for name, v := range types {
		schema, ok := doc.Components.Schemas[name]
		if !ok {
			t.Errorf("schema %s is missing", name)
			continue
		}
		fields := jsonFields(reflect.TypeOf(v))
		var documented []string
		for prop := range schema.Properties {
			documented = append(documented, prop)
		}
		slices.Sort(fields)
		slices.Sort(documented)
		if !slices.Equal(fields, documented) {
			t.Errorf("schema %s has properties %v, the API sends %v", name, documented, fields)
		}
	}
}

// jsonFields lists the JSON names of a struct's fields, embedded ones included.
func jsonFields(typ reflect.Type) []string {
	var names []string
	for f := range typ.Fields() {
		if f.Anonymous {
			names = append(names, jsonFields(f.Type)...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		names = append(names, name)
	}
	return names
}

// TestOpenAPIMaxRetriesIsTheLimit: every max_retries that openapi.json
// documents has the maximum the service enforces (store.MaxRetriesLimit).
func TestOpenAPIMaxRetriesIsTheLimit(t *testing.T) {
	doc := loadOpenAPI(t)
	for _, name := range []string{"Endpoint", "EndpointCreate", "EndpointUpdate"} {
		var prop struct {
			Maximum *int `json:"maximum"`
		}
		raw, ok := doc.Components.Schemas[name].Properties["max_retries"]
		if !ok {
			t.Errorf("schema %s has no max_retries", name)
			continue
		}
		if err := json.Unmarshal(raw, &prop); err != nil {
			t.Fatalf("%s.max_retries: %v", name, err)
		}
		if prop.Maximum == nil || *prop.Maximum != store.MaxRetriesLimit {
			t.Errorf("%s.max_retries: maximum %v, want store.MaxRetriesLimit (%d)", name, prop.Maximum, store.MaxRetriesLimit)
		}
	}
}

// TestOpenAPIByteLimitsHaveNoMaxLength checks that the text fields whose
// limit the server counts in bytes declare no maxLength (JSON Schema counts
// characters) and say bytes in their description instead.
func TestOpenAPIByteLimitsHaveNoMaxLength(t *testing.T) {
	doc := loadOpenAPI(t)
	for name, schema := range doc.Components.Schemas {
		raw, ok := schema.Properties["ordering_key"]
		if !ok {
			continue
		}
		var prop struct {
			MaxLength   *int   `json:"maxLength"`
			Description string `json:"description"`
		}
		if err := json.Unmarshal(raw, &prop); err != nil {
			t.Fatalf("%s.ordering_key: %v", name, err)
		}
		if prop.MaxLength != nil {
			t.Errorf("%s.ordering_key has maxLength %d, in characters; the limit is %d bytes", name, *prop.MaxLength, store.MaxOrderingKeyLength)
		}
	}
}
