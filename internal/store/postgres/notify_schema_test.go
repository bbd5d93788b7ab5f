package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestDeactivationsStayInTheirSchema: two hookrelay databases in two
// schemas of one PostgreSQL database share the NOTIFY channel; a listener
// hears only the endpoints of its own schema, even when the other schema's
// endpoint has the same id.
func TestDeactivationsStayInTheirSchema(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	mine, other := migrated(t, testdb.PostgresURL(t)), migrated(t, testdb.PostgresURL(t))
	create := func(s store.Store) store.Endpoint {
		t.Helper()
		e, err := s.CreateEndpoint(ctx, store.Endpoint{URL: "https://example.com/hook", Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	disable := func(s store.Store, id int64) {
		t.Helper()
		a := store.Activation{Active: false, Reason: "test", At: time.Now()}
		if _, err := s.UpdateEndpoint(ctx, id, store.EndpointPatch{Activation: &a}); err != nil {
			t.Fatal(err)
		}
	}
	ids := mine.Deactivations(ctx)
	receive := func() int64 {
		t.Helper()
		select {
		case id := <-ids:
			return id
		case <-ctx.Done():
			t.Fatal("no deactivation announced in time")
			return 0
		}
	}
	if got := receive(); got != 0 {
		t.Fatalf("first value %d, want 0 once ready", got)
	}
	create(mine)
	second := create(mine)
	otherFirst := create(other)
	disable(other, otherFirst.ID) // id 1, of the other schema
	disable(mine, second.ID)      // id 2, of mine
	if got := receive(); got != second.ID {
		t.Fatalf("announced %d, want only %d: the other schema's endpoint %d leaked in", got, second.ID, otherFirst.ID)
	}
}
