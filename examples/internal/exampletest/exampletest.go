// Package exampletest runs the examples' run functions in their tests, as
// CI does, on a database of their own: a schema of the test PostgreSQL
// server, or a new SQLite file (internal/testdb).
package exampletest

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// Run runs run on a new test schema of PostgreSQL (RunOn).
func Run(t *testing.T, run func(ctx context.Context, databaseURL string, out io.Writer) error) {
	t.Helper()
	RunOn(t, testdb.PostgresURL(t), run)
}

// RunSQLite runs run on a new SQLite file (RunOn).
func RunSQLite(t *testing.T, run func(ctx context.Context, databaseURL string, out io.Writer) error) {
	t.Helper()
	RunOn(t, testdb.SQLitePath(t), run)
}

// RunOn runs run on the database at databaseURL (what DATABASE_URL would
// be) and checks that it printed a delivered order (the examples'
// order.created event of 1999 cents) and left no endpoint behind, whose
// deliveries a later example on the same database would retry.
func RunOn(t *testing.T, databaseURL string, run func(ctx context.Context, databaseURL string, out io.Writer) error) {
	t.Helper()
	var out strings.Builder
	if err := run(t.Context(), databaseURL, &out); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.HasPrefix(got, "delivered: ") || !strings.Contains(got, `"total_cents":1999`) {
		t.Errorf("the example printed %q, want the delivered order", got)
	}
	hooks, err := hookrelay.Open(t.Context(), databaseURL, hookrelay.Config{SkipMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer hooks.Close()
	if left, err := hooks.ListEndpoints(t.Context()); err != nil || len(left) != 0 {
		t.Errorf("the example left endpoints %+v (%v), want none", left, err)
	}
}
