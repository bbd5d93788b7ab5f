package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

// amountSchema requires a non-negative amount.
const amountSchema = `{"type":"object","required":["amount"],"properties":{"amount":{"type":"number","minimum":0}}}`

// fieldError returns the first *FieldError of err, failing t without one.
func fieldError(t *testing.T, err error) *service.FieldError {
	t.Helper()
	var fe *service.FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v, want a *service.FieldError", err)
	}
	return fe
}

func TestCheckEventType(t *testing.T) {
	for _, tc := range []struct {
		name string
		t    store.EventType
		path string // "" when valid
		says string
	}{
		{"bare", store.EventType{Name: "invoice.paid"}, "", ""},
		{"full", store.EventType{Name: "invoice.paid", Description: "paid", Schema: json.RawMessage(amountSchema), Example: json.RawMessage(`{"amount":3}`)}, "", ""},
		{"other draft by $schema", store.EventType{Name: "a.b", Schema: json.RawMessage(`{"$schema":"http://json-schema.org/draft-07/schema#","type":"object"}`)}, "", ""},
		{"in-document $ref", store.EventType{Name: "a.b", Schema: json.RawMessage(`{"$defs":{"n":{"type":"number"}},"properties":{"x":{"$ref":"#/$defs/n"}}}`)}, "", ""},
		{"formats are annotations in draft-07", store.EventType{Name: "a.b", Schema: json.RawMessage(`{"$schema":"http://json-schema.org/draft-07/schema#","properties":{"e":{"format":"email"},"r":{"format":"regex"},"d":{"format":"date-time"}}}`), Example: json.RawMessage(`{"e":"not an email","r":"(","d":"yesterday"}`)}, "", ""},
		{"formats are annotations in draft-04", store.EventType{Name: "a.b", Schema: json.RawMessage(`{"$schema":"http://json-schema.org/draft-04/schema#","properties":{"i":{"format":"ipv4"}}}`), Example: json.RawMessage(`{"i":"x"}`)}, "", ""},
		{"pattern asserted still in draft-07", store.EventType{Name: "a.b", Schema: json.RawMessage(`{"$schema":"http://json-schema.org/draft-07/schema#","properties":{"p":{"pattern":"^a"}},"patternProperties":{"^z":{"type":"number"}}}`), Example: json.RawMessage(`{"p":"b"}`)}, "example", "/p: pattern:"},
		{"invalid pattern", store.EventType{Name: "a.b", Schema: json.RawMessage(`{"$schema":"http://json-schema.org/draft-07/schema#","pattern":"("}`)}, "schema", "pattern"},
		{"duplicate key", store.EventType{Name: "a.b", Schema: json.RawMessage(`{"type":"string","type":"number"}`)}, "schema", `has the key "type" twice`},
		{"nested duplicate key", store.EventType{Name: "a.b", Schema: json.RawMessage(`{"properties":{"a":{},"b":{"enum":[{"x":1,"y":2}],"minimum":1,"minimum":2}}}`)}, "schema", `/properties/b: has the key "minimum" twice`},
		{"same key in sibling objects", store.EventType{Name: "a.b", Schema: json.RawMessage(`{"properties":{"a":{"type":"string"},"b":{"type":"string"}},"prefixItems":[{"type":"number"},{"type":"number"}]}`)}, "", ""},
		{"dot", store.EventType{Name: "."}, "name", `"." cannot be catalogued: URLs collapse it`},
		{"dot dot", store.EventType{Name: ".."}, "name", `".." cannot be catalogued`},
		{"dots in a longer name", store.EventType{Name: "a/../b"}, "", ""},
		{"named new", store.EventType{Name: "new"}, "", ""},
		{"no name", store.EventType{}, "name", "is required"},
		{"pattern", store.EventType{Name: "invoice.*"}, "name", "'*'"},
		{"internal type", store.EventType{Name: "webhook.ping"}, "name", "sent by hookrelay itself"},
		{"long description", store.EventType{Name: "a.b", Description: strings.Repeat("é", 1001)}, "description", "longer than 1000"},
		{"schema not JSON", store.EventType{Name: "a.b", Schema: json.RawMessage(`{`)}, "schema", "not valid JSON"},
		{"schema a string", store.EventType{Name: "a.b", Schema: json.RawMessage(`"x"`)}, "schema", "object or a boolean"},
		{"schema keyword of the wrong type", store.EventType{Name: "a.b", Schema: json.RawMessage(`{"properties":{"amount":{"minimum":"zero"}}}`)}, "schema", "/properties/amount/minimum: type:"},
		{"remote $ref", store.EventType{Name: "a.b", Schema: json.RawMessage(`{"$ref":"https://example.com/s.json"}`)}, "schema", `$ref "https://example.com/s.json" refers outside itself`},
		{"file $ref", store.EventType{Name: "a.b", Schema: json.RawMessage(`{"$ref":"other.json"}`)}, "schema", `$ref "other.json" refers outside itself`},
		{"unknown $schema", store.EventType{Name: "a.b", Schema: json.RawMessage(`{"$schema":"https://example.com/meta"}`)}, "schema", "refers outside itself"},
		{"example not JSON", store.EventType{Name: "a.b", Example: json.RawMessage(`{"a"`)}, "example", "not valid JSON"},
		{"example against its schema", store.EventType{Name: "a.b", Schema: json.RawMessage(amountSchema), Example: json.RawMessage(`{"amount":-1}`)}, "example", "does not match the schema: /amount: minimum:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := service.CheckEventType(tc.t)
			if tc.path == "" {
				if err != nil {
					t.Fatalf("error %v, want none", err)
				}
				return
			}
			wantFirst(t, err, tc.path)
			if fe := fieldError(t, err); !strings.Contains(fe.Message, tc.says) {
				t.Errorf("message %q, want it to say %q", fe.Message, tc.says)
			}
		})
	}
}

func TestEventTypeCatalog(t *testing.T) {
	eachService(t, service.Options{}, func(t *testing.T, s *service.Service, st store.Store) {
		ctx := t.Context()
		if _, err := s.CreateEventType(ctx, store.EventType{Name: "invoice.paid", Schema: json.RawMessage(amountSchema)}); err != nil {
			t.Fatal(err)
		}
		_, err := s.CreateEventType(ctx, store.EventType{Name: "invoice.paid"})
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("duplicate: %v, want a conflict", err)
		}
		// A new schema must accept the example kept.
		example := json.RawMessage(`{"amount":0}`)
		if _, err := s.UpdateEventType(ctx, "invoice.paid", store.EventTypePatch{Example: &example}); err != nil {
			t.Fatal(err)
		}
		stricter := json.RawMessage(`{"properties":{"amount":{"minimum":1}}}`)
		_, err = s.UpdateEventType(ctx, "invoice.paid", store.EventTypePatch{Schema: &stricter})
		wantFirst(t, err, "example")
		_, err = s.UpdateEventType(ctx, "nope", store.EventTypePatch{})
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("update a missing type: %v, want not found", err)
		}
		if _, err := s.CreateEventType(ctx, store.EventType{Name: "invoice.voided", Deprecated: true}); err != nil {
			t.Fatal(err)
		}
		for withDeprecated, want := range map[bool]int{false: 1, true: 2} {
			types, err := s.EventTypeChoices(ctx, withDeprecated)
			if err != nil || len(types) != want {
				t.Errorf("choices (deprecated %v) = %+v (%v), want %d", withDeprecated, types, err, want)
			}
		}
	})
}

func TestPublishChecksTheCatalog(t *testing.T) {
	eachService(t, service.Options{}, func(t *testing.T, s *service.Service, st store.Store) {
		ctx := t.Context()
		publish := func(typ, data string) error {
			_, err := s.Publish(ctx, service.PublishRequest{Event: store.Event{Type: typ, Data: json.RawMessage(data)}})
			return err
		}
		if err := publish("invoice.paid", `{"amount":-1}`); err != nil {
			t.Fatalf("uncatalogued type: %v, want it published", err)
		}
		if _, err := s.CreateEventType(ctx, store.EventType{Name: "invoice.paid", Schema: json.RawMessage(amountSchema)}); err != nil {
			t.Fatal(err)
		}
		// The service's own change counts at once, before any refresh.
		err := publish("invoice.paid", `{"amount":-1}`)
		wantFirst(t, err, "data")
		fe := fieldError(t, err)
		if fe.Error() != "data: /amount: minimum: got -1, want 0" {
			t.Errorf("error %q, want the pointer and the keyword", fe.Error())
		}
		if len(fe.Violations) != 1 || fe.Violations[0] != (service.Violation{Location: "/amount", Keyword: "minimum", Message: "got -1, want 0"}) {
			t.Errorf("violations %+v", fe.Violations)
		}
		err = publish("invoice.paid", `{}`)
		if fe := fieldError(t, err); fe.Error() != "data: required: missing property 'amount'" {
			t.Errorf("error %q, want the root's required", fe.Error())
		}
		if err := publish("invoice.paid", `{"amount":5}`); err != nil {
			t.Errorf("valid data: %v", err)
		}
		// A batch refuses the invalid event alone, with the same error.
		results, err := s.PublishMany(ctx, []service.PublishRequest{
			{Event: store.Event{Type: "invoice.paid", Data: json.RawMessage(`{"amount":1}`)}},
			{Event: store.Event{Type: "invoice.paid", Data: json.RawMessage(`{"amount":"1"}`)}},
		})
		if err != nil || results[0].Err != nil || results[1].Err == nil || !strings.Contains(results[1].Err.Error(), "data: /amount: type:") {
			t.Errorf("batch = %+v (%v), want the second refused for its type", results, err)
		}
		// Deprecated types publish still.
		deprecated := true
		if _, err := s.UpdateEventType(ctx, "invoice.paid", store.EventTypePatch{Deprecated: &deprecated}); err != nil {
			t.Fatal(err)
		}
		if err := publish("invoice.paid", `{"amount":5}`); err != nil {
			t.Errorf("deprecated type: %v, want it published", err)
		}
		// Deleting the type lifts its schema at once.
		if err := s.DeleteEventType(ctx, "invoice.paid"); err != nil {
			t.Fatal(err)
		}
		if err := publish("invoice.paid", `{"amount":-1}`); err != nil {
			t.Errorf("after delete: %v, want it published", err)
		}
	})
}

func TestRequireEventTypes(t *testing.T) {
	eachService(t, service.Options{RequireEventTypes: true}, func(t *testing.T, s *service.Service, st store.Store) {
		ctx := t.Context()
		_, err := s.Publish(ctx, service.PublishRequest{Event: store.Event{Type: "invoice.paid"}})
		wantFirst(t, err, "type")
		if !strings.Contains(err.Error(), "HOOKRELAY_REQUIRE_EVENT_TYPES") {
			t.Errorf("error %q, want it to name the setting", err)
		}
		if _, err := s.CreateEventType(ctx, store.EventType{Name: "invoice.paid"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Publish(ctx, service.PublishRequest{Event: store.Event{Type: "invoice.paid"}}); err != nil {
			t.Errorf("catalogued: %v", err)
		}
		for _, internal := range []string{service.PingEventType, store.VerificationEventType} {
			if _, err := s.Publish(ctx, service.PublishRequest{Event: store.Event{Type: internal}}); err != nil {
				t.Errorf("%s: %v, want hookrelay's own types never refused", internal, err)
			}
		}
	})
}

// TestCatalogChangesOfAnotherProcess shows that a change made through
// another service on the same database (another process) reaches
// publishing within Options.CatalogRefresh, without a read per event.
func TestCatalogChangesOfAnotherProcess(t *testing.T) {
	eachService(t, service.Options{}, func(t *testing.T, _ *service.Service, st store.Store) {
		ctx := t.Context()
		publisher := service.New(st, service.Options{CatalogRefresh: 50 * time.Millisecond})
		other := service.New(st, service.Options{})
		invalid := service.PublishRequest{Event: store.Event{Type: "invoice.paid", Data: json.RawMessage(`{"amount":-1}`)}}
		if _, err := publisher.Publish(ctx, invalid); err != nil {
			t.Fatal(err)
		}
		if _, err := other.CreateEventType(ctx, store.EventType{Name: "invoice.paid", Schema: json.RawMessage(amountSchema)}); err != nil {
			t.Fatal(err)
		}
		testwait.Until(t, "the other process's schema applies", func() bool {
			_, err := publisher.Publish(ctx, invalid)
			return errors.Is(err, service.ErrInvalid)
		})
	})
}

// countingStore is a real store that counts the reads of the catalog.
type countingStore struct {
	store.Store
	reads atomic.Int64
}

func (c *countingStore) ListEventTypes(ctx context.Context, f store.EventTypeFilter) ([]store.EventType, error) {
	c.reads.Add(1)
	return c.Store.ListEventTypes(ctx, f)
}

// TestPublishReadsTheCatalogOncePerRefresh: a burst of publishes, single
// and batched, reads the catalog once, not per event; the service's own
// change makes the next publish read it again, once.
func TestPublishReadsTheCatalogOncePerRefresh(t *testing.T) {
	eachService(t, service.Options{}, func(t *testing.T, _ *service.Service, st store.Store) {
		ctx := t.Context()
		counted := &countingStore{Store: st}
		s := service.New(counted, service.Options{CatalogRefresh: time.Hour})
		if _, err := s.CreateEventType(ctx, store.EventType{Name: "invoice.paid", Schema: json.RawMessage(amountSchema)}); err != nil {
			t.Fatal(err)
		}
		valid := service.PublishRequest{Event: store.Event{Type: "invoice.paid", Data: json.RawMessage(`{"amount":1}`)}}
		publishBurst := func() {
			t.Helper()
			for range 20 {
				if _, err := s.Publish(ctx, valid); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.PublishMany(ctx, slices.Repeat([]service.PublishRequest{valid}, 20)); err != nil {
				t.Fatal(err)
			}
		}
		publishBurst()
		if n := counted.reads.Load(); n != 1 {
			t.Errorf("40 events read the catalog %d times, want once", n)
		}
		deprecated := true
		if _, err := s.UpdateEventType(ctx, "invoice.paid", store.EventTypePatch{Deprecated: &deprecated}); err != nil {
			t.Fatal(err)
		}
		publishBurst()
		if n := counted.reads.Load(); n != 2 {
			t.Errorf("after a change, the catalog was read %d times in all, want twice", n)
		}
	})
}

// TestCatalogRefusesCostlyChecks: data and schemas whose check would cost
// more than service.MaxSchemaVisits are refused before the validator runs.
func TestCatalogRefusesCostlyChecks(t *testing.T) {
	const recursive = `{"anyOf":[{"type":"object","required":["leaf"],"properties":{"child":{"$ref":"#"}}},{"type":"object","required":["children"],"properties":{"child":{"$ref":"#"}}}]}`
	nested := strings.Repeat(`{"child":`, 20) + "{}" + strings.Repeat("}", 20)
	var chain strings.Builder
	chain.WriteString(`{"$defs":{`)
	for i := range 21 {
		fmt.Fprintf(&chain, `"d%d":{"anyOf":[{"$ref":"#/$defs/d%d"},{"$ref":"#/$defs/d%d"}]},`, i, i+1, i+1)
	}
	chain.WriteString(`"d21":{"type":"number"}},"properties":{"x":{"$ref":"#/$defs/d0"}}}`)
	eachService(t, service.Options{}, func(t *testing.T, s *service.Service, st store.Store) {
		ctx := t.Context()
		_, err := s.CreateEventType(ctx, store.EventType{Name: "tree.grown", Schema: json.RawMessage(recursive), Example: json.RawMessage(nested)})
		if fe := fieldError(t, err); fe.Field != "example" || !strings.Contains(fe.Message, "more than 100000 schema evaluations") {
			t.Errorf("costly example: %v", err)
		}
		if _, err := s.CreateEventType(ctx, store.EventType{Name: "tree.grown", Schema: json.RawMessage(recursive)}); err != nil {
			t.Fatal(err)
		}
		_, err = s.Publish(ctx, service.PublishRequest{Event: store.Event{Type: "tree.grown", Data: json.RawMessage(nested)}})
		want := `data: data too complex to check against the schema of "tree.grown": more than 100000 schema evaluations`
		if fe := fieldError(t, err); fe.Error() != want {
			t.Errorf("costly data: %q, want %q", fe.Error(), want)
		}
		for schema, says := range map[string]string{
			chain.String(): "schema: is too complex: checking any value against #/$defs/d0 takes more than 100000 schema evaluations",
			`{"$ref":"#"}`: "schema: has a reference cycle that never descends into the data, so no value can be checked against it: # → #",
			`{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}`: "#/$defs/a → #/$defs/b → #/$defs/a",
		} {
			_, err := s.CreateEventType(ctx, store.EventType{Name: "costly.schema", Schema: json.RawMessage(schema)})
			if fe := fieldError(t, err); !strings.Contains(fe.Error(), says) {
				t.Errorf("%s: %q, want %q", schema, fe.Error(), says)
			}
		}
	})
}

// TestConcurrentUpdatesKeepTheExampleValid: a PATCH of the schema and one
// of the example at once, each valid against the row it read, never leave
// an example that the schema refuses.
func TestConcurrentUpdatesKeepTheExampleValid(t *testing.T) {
	eachService(t, service.Options{}, func(t *testing.T, s *service.Service, st store.Store) {
		ctx := t.Context()
		schema, example := json.RawMessage(`{"required":["a"]}`), json.RawMessage(`{"b":1}`)
		for round := range 20 {
			if _, err := s.CreateEventType(ctx, store.EventType{Name: "a.b", Schema: json.RawMessage(`{}`), Example: json.RawMessage(`{"a":1}`)}); err != nil {
				t.Fatal(err)
			}
			start := make(chan struct{})
			errs := make(chan error, 2)
			for _, p := range []store.EventTypePatch{{Schema: &schema}, {Example: &example}} {
				go func() {
					<-start
					_, err := s.UpdateEventType(ctx, "a.b", p)
					errs <- err
				}()
			}
			close(start)
			refused := 0
			for range 2 {
				if err := <-errs; err != nil {
					if !errors.Is(err, service.ErrInvalid) {
						t.Fatalf("round %d: update: %v", round, err)
					}
					refused++
				}
			}
			got, err := st.GetEventType(ctx, "a.b")
			if err != nil {
				t.Fatal(err)
			}
			if err := service.CheckEventType(got); err != nil {
				t.Fatalf("round %d: stored %s with example %s: %v", round, got.Schema, got.Example, err)
			}
			if refused != 1 {
				t.Errorf("round %d: %d updates refused, want 1 (the second is checked against the first)", round, refused)
			}
			if err := s.DeleteEventType(ctx, "a.b"); err != nil {
				t.Fatal(err)
			}
		}
	})
}
