package hookrelay_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/hookrelay/hookrelay"
)

func TestEventTypeCatalog(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		c := b.newClient(t, fast()...)
		ctx := t.Context()
		schema := json.RawMessage(`{"type":"object","required":["amount"],"properties":{"amount":{"type":"number","minimum":0}}}`)
		created, err := c.CreateEventType(ctx, hookrelay.EventType{Name: "invoice.paid", Schema: schema, Example: json.RawMessage(`{"amount":1}`)})
		if err != nil || created.CreatedAt.IsZero() {
			t.Fatalf("CreateEventType = %+v, %v", created, err)
		}
		if _, err := c.CreateEventType(ctx, hookrelay.EventType{Name: "invoice.paid"}); !errors.Is(err, hookrelay.ErrConflict) {
			t.Errorf("duplicate: %v, want ErrConflict", err)
		}
		bad := hookrelay.Event{Type: "invoice.paid", Data: json.RawMessage(`{"amount":-1}`)}
		_, err = c.PublishNow(ctx, bad)
		want := []hookrelay.Violation{{Location: "/amount", Keyword: "minimum", Message: "got -1, want 0"}}
		if !errors.Is(err, hookrelay.ErrInvalid) || len(hookrelay.Violations(err)) != 1 || hookrelay.Violations(err)[0] != want[0] {
			t.Fatalf("PublishNow: %v (violations %+v), want ErrInvalid with %+v", err, hookrelay.Violations(err), want)
		}
		tx := b.begin(t)
		if _, err := tx.publish(ctx, c, bad); !errors.Is(err, hookrelay.ErrInvalid) {
			t.Errorf("Publish in a transaction: %v, want ErrInvalid", err)
		}
		if err := tx.rollback(); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PublishManyNow(ctx, []hookrelay.Event{{Type: "invoice.paid", Data: json.RawMessage(`{"amount":2}`)}, bad}); !errors.Is(err, hookrelay.ErrInvalid) {
			t.Errorf("PublishManyNow: %v, want ErrInvalid", err)
		}
		deprecated := true
		updated, err := c.UpdateEventType(ctx, "invoice.paid", hookrelay.EventTypeUpdate{Deprecated: &deprecated})
		if err != nil || !updated.Deprecated || string(updated.Schema) != string(schema) {
			t.Errorf("UpdateEventType = %+v, %v", updated, err)
		}
		if got, err := c.GetEventType(ctx, "invoice.paid"); err != nil || !got.Deprecated {
			t.Errorf("GetEventType = %+v, %v", got, err)
		}
		if list, err := c.ListEventTypes(ctx); err != nil || len(list) != 1 {
			t.Errorf("ListEventTypes = %+v, %v", list, err)
		}
		if err := c.DeleteEventType(ctx, "invoice.paid"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetEventType(ctx, "invoice.paid"); !errors.Is(err, hookrelay.ErrNotFound) {
			t.Errorf("GetEventType after delete: %v, want ErrNotFound", err)
		}
		if _, err := c.PublishNow(ctx, bad); err != nil {
			t.Errorf("after delete: %v, want the event published", err)
		}
	})
}

func TestRequireEventTypesOption(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		c := b.newClient(t, append(fast(), hookrelay.WithRequireEventTypes())...)
		ctx := t.Context()
		if _, err := c.PublishNow(ctx, hookrelay.Event{Type: "invoice.paid"}); !errors.Is(err, hookrelay.ErrInvalid) {
			t.Fatalf("uncatalogued: %v, want ErrInvalid", err)
		}
		if _, err := c.CreateEventType(ctx, hookrelay.EventType{Name: "invoice.paid"}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PublishNow(ctx, hookrelay.Event{Type: "invoice.paid"}); err != nil {
			t.Errorf("catalogued: %v", err)
		}
	})
}
