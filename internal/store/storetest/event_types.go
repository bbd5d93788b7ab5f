package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// eventTypeSchema is a schema as a person writes it, spaces and key order
// included: the stores keep it byte for byte.
const eventTypeSchema = `{ "type": "object",  "required": ["amount"], "properties": {"amount": {"type": "number", "minimum": 0}} }`

var eventTypeTests = []test{
	{"EventTypeCreateGetKeepsTheTextAsGiven", func(t *testing.T, f *fixture) {
		want := store.EventType{
			Name: "invoice.paid", Description: "An invoice was paid.",
			Schema: json.RawMessage(eventTypeSchema), Example: json.RawMessage(`{"amount": 12.5}`),
		}
		created, err := f.s.CreateEventType(f.ctx, want)
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		f.recent("created_at", created.CreatedAt)
		f.recent("updated_at", created.UpdatedAt)
		got, err := f.s.GetEventType(f.ctx, "invoice.paid")
		if err != nil {
			t.Fatalf("get: %v", err)
		}
		for what, pair := range map[string][2]string{
			"name": {got.Name, want.Name}, "description": {got.Description, want.Description},
			"schema": {string(got.Schema), eventTypeSchema}, "example": {string(got.Example), `{"amount": 12.5}`},
		} {
			if pair[0] != pair[1] {
				t.Errorf("%s = %q, want %q", what, pair[0], pair[1])
			}
		}
		if got.Deprecated {
			t.Error("deprecated, want not")
		}
		sameInstant(t, "created_at", got.CreatedAt, created.CreatedAt)
		bare, err := f.s.CreateEventType(f.ctx, store.EventType{Name: "invoice.voided", Deprecated: true})
		if err != nil || bare.Schema != nil || bare.Example != nil || !bare.Deprecated || bare.Description != "" {
			t.Errorf("bare type = %+v (%v), want no schema, no example, deprecated", bare, err)
		}
	}},
	{"EventTypeDuplicateNameConflicts", func(t *testing.T, f *fixture) {
		f.eventType("invoice.paid")
		_, err := f.s.CreateEventType(f.ctx, store.EventType{Name: "invoice.paid", Description: "again"})
		wantErr(t, "create twice", err, store.ErrConflict)
		got, _ := f.s.GetEventType(f.ctx, "invoice.paid")
		if got.Description != "" {
			t.Errorf("description = %q, want the first row untouched", got.Description)
		}
	}},
	{"EventTypeMissingIsNotFound", func(t *testing.T, f *fixture) {
		_, err := f.s.GetEventType(f.ctx, "nope")
		wantErr(t, "get", err, store.ErrNotFound)
		_, err = f.s.UpdateEventType(f.ctx, "nope", store.EventTypePatch{})
		wantErr(t, "update", err, store.ErrNotFound)
		wantErr(t, "delete", f.s.DeleteEventType(f.ctx, "nope"), store.ErrNotFound)
	}},
	{"EventTypeListPagesByNameInByteOrder", func(t *testing.T, f *fixture) {
		// Upper case sorts before lower case in byte order, whatever the
		// database's locale.
		for _, name := range []string{"b.two", "a.one", "B.upper", "c.three"} {
			f.eventType(name)
		}
		deprecated := true
		if _, err := f.s.UpdateEventType(f.ctx, "b.two", store.EventTypePatch{Deprecated: &deprecated}); err != nil {
			t.Fatal(err)
		}
		names := func(filter store.EventTypeFilter) []string {
			t.Helper()
			types, err := f.s.ListEventTypes(f.ctx, filter)
			if err != nil {
				t.Fatalf("list %+v: %v", filter, err)
			}
			out := []string{}
			for _, et := range types {
				out = append(out, et.Name)
			}
			return out
		}
		current := false
		for _, tc := range []struct {
			filter store.EventTypeFilter
			want   []string
		}{
			{store.EventTypeFilter{}, []string{"B.upper", "a.one", "b.two", "c.three"}},
			{store.EventTypeFilter{Limit: 2}, []string{"B.upper", "a.one"}},
			{store.EventTypeFilter{AfterName: "a.one", Limit: 2}, []string{"b.two", "c.three"}},
			{store.EventTypeFilter{AfterName: "c.three"}, []string{}},
			{store.EventTypeFilter{Deprecated: &deprecated}, []string{"b.two"}},
			{store.EventTypeFilter{Deprecated: &current}, []string{"B.upper", "a.one", "c.three"}},
		} {
			if got := names(tc.filter); !slices.Equal(got, tc.want) {
				t.Errorf("list %+v = %v, want %v", tc.filter, got, tc.want)
			}
		}
	}},
	{"EventTypeUpdateWritesOnlyThePatch", func(t *testing.T, f *fixture) {
		before, err := f.s.CreateEventType(f.ctx, store.EventType{
			Name: "invoice.paid", Description: "paid", Schema: json.RawMessage(eventTypeSchema), Example: json.RawMessage(`{"amount":1}`),
		})
		if err != nil {
			t.Fatal(err)
		}
		deprecated := true
		got, err := f.s.UpdateEventType(f.ctx, "invoice.paid", store.EventTypePatch{Deprecated: &deprecated})
		if err != nil {
			t.Fatalf("deprecate: %v", err)
		}
		if !got.Deprecated || got.Description != "paid" || string(got.Schema) != eventTypeSchema || string(got.Example) != `{"amount":1}` {
			t.Errorf("after deprecating: %+v, want only deprecated changed", got)
		}
		if got.UpdatedAt.Before(before.UpdatedAt) {
			t.Errorf("updated_at %v went back from %v", got.UpdatedAt, before.UpdatedAt)
		}
		sameInstant(t, "created_at", got.CreatedAt, before.CreatedAt)
		desc, schema, none := "now described", json.RawMessage(`{"type":"object"}`), json.RawMessage{}
		got, err = f.s.UpdateEventType(f.ctx, "invoice.paid", store.EventTypePatch{Description: &desc, Schema: &schema, Example: &none})
		if err != nil {
			t.Fatalf("update: %v", err)
		}
		if got.Description != desc || string(got.Schema) != `{"type":"object"}` || got.Example != nil || !got.Deprecated {
			t.Errorf("after update: %+v, want the new description and schema, no example, still deprecated", got)
		}
		got, err = f.s.UpdateEventType(f.ctx, "invoice.paid", store.EventTypePatch{Schema: &none})
		if err != nil || got.Schema != nil {
			t.Errorf("after removing the schema: %+v (%v), want none", got, err)
		}
	}},
	{"EventTypeConditionalUpdateWritesOnce", func(t *testing.T, f *fixture) {
		read, err := f.s.CreateEventType(f.ctx, store.EventType{Name: "invoice.paid"})
		if err != nil {
			t.Fatal(err)
		}
		// Updates at once from the same read: exactly one writes.
		const writers = 8
		errs := make(chan error, writers)
		for i := range writers {
			go func() {
				desc := fmt.Sprintf("writer %d", i)
				_, err := f.s.UpdateEventType(f.ctx, "invoice.paid", store.EventTypePatch{Description: &desc, IfUpdatedAt: &read.UpdatedAt})
				errs <- err
			}()
		}
		wrote := 0
		for range writers {
			switch err := <-errs; {
			case err == nil:
				wrote++
			case !errors.Is(err, store.ErrConflict):
				t.Errorf("update: %v, want none or ErrConflict", err)
			}
		}
		if wrote != 1 {
			t.Fatalf("%d updates from one read wrote, want 1", wrote)
		}
		got, err := f.s.GetEventType(f.ctx, "invoice.paid")
		if err != nil || !got.UpdatedAt.After(read.UpdatedAt) {
			t.Fatalf("after: %+v (%v), want updated_at after %v", got, err, read.UpdatedAt)
		}
		// An update from the row read now writes, and moves updated_at on
		// even within the same microsecond.
		desc := "again"
		next, err := f.s.UpdateEventType(f.ctx, "invoice.paid", store.EventTypePatch{Description: &desc, IfUpdatedAt: &got.UpdatedAt})
		if err != nil || next.Description != "again" || !next.UpdatedAt.After(got.UpdatedAt) {
			t.Errorf("update from the current row: %+v (%v)", next, err)
		}
		_, err = f.s.UpdateEventType(f.ctx, "nope", store.EventTypePatch{Description: &desc, IfUpdatedAt: &got.UpdatedAt})
		wantErr(t, "conditional update of a missing type", err, store.ErrNotFound)
	}},
	{"EventTypeDeleteKeepsEvents", func(t *testing.T, f *fixture) {
		f.eventType("invoice.paid")
		res := f.publish("invoice.paid")
		if err := f.s.DeleteEventType(f.ctx, "invoice.paid"); err != nil {
			t.Fatalf("delete: %v", err)
		}
		_, err := f.s.GetEventType(f.ctx, "invoice.paid")
		wantErr(t, "get after delete", err, store.ErrNotFound)
		if _, err := f.s.GetEvent(f.ctx, res.Event.ID); err != nil {
			t.Errorf("the event of the deleted type: %v, want it kept", err)
		}
	}},
}

// eventType catalogues a type named name with no schema.
func (f *fixture) eventType(name string) store.EventType {
	f.t.Helper()
	et, err := f.s.CreateEventType(f.ctx, store.EventType{Name: name})
	if err != nil {
		f.t.Fatalf("create event type %s: %v", name, err)
	}
	return et
}

// RowsBeforeEventTypes are the rows that the tests of both stores put in a
// database of the release before the event-type catalog (one endpoint, one
// event, its queued delivery), in SQL that both stores run, before
// EventTypesAfterMigration checks them.
const RowsBeforeEventTypes = RowsBeforeOrderingKeys

// EventTypesAfterMigration checks s, a store just migrated from a release
// before the event-type catalog with RowsBeforeEventTypes in it: the
// endpoint, the event and its delivery are kept, the catalog is empty, and
// a type can be catalogued.
func EventTypesAfterMigration(t *testing.T, s store.Store) {
	t.Helper()
	ctx := t.Context()
	eps, err := s.ListEndpoints(ctx, store.EndpointFilter{})
	if err != nil || len(eps) != 1 || eps[0].Title != "plain" || eps[0].Secret != "secret-a-0123456789" {
		t.Fatalf("endpoints %+v (%v), want the stored one", eps, err)
	}
	ev, err := s.GetEvent(ctx, "11111111-2222-4333-8444-555555555555")
	if err != nil || ev.Type != "document.created" {
		t.Fatalf("event %+v (%v), want the stored one", ev, err)
	}
	claimed, err := s.Claim(ctx, store.ClaimRequest{Limit: 10, Lease: time.Minute, Worker: "w"})
	if err != nil || len(claimed) != 1 || claimed[0].Event.ID != ev.ID {
		t.Fatalf("claim = %+v (%v), want the old delivery", claimed, err)
	}
	types, err := s.ListEventTypes(ctx, store.EventTypeFilter{})
	if err != nil || len(types) != 0 {
		t.Fatalf("event types %+v (%v), want an empty catalog", types, err)
	}
	if _, err := s.CreateEventType(ctx, store.EventType{Name: "document.created", Example: json.RawMessage(`{"doc_id":"d-1"}`)}); err != nil {
		t.Fatalf("catalogue a type after migrating: %v", err)
	}
}
