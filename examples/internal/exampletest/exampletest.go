// Package exampletest runs the examples' run functions in their tests, as
// CI does, on a schema of their own of the test PostgreSQL server
// (internal/testdb).
package exampletest

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/testdb"
)

// Run runs run on a new test schema and checks that it printed a delivered
// order (the examples' order.created event of 1999 cents).
func Run(t *testing.T, run func(ctx context.Context, databaseURL string, out io.Writer) error) {
	t.Helper()
	var out strings.Builder
	if err := run(t.Context(), testdb.PostgresURL(t), &out); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.HasPrefix(got, "delivered: ") || !strings.Contains(got, `"total_cents":1999`) {
		t.Errorf("the example printed %q, want the delivered order", got)
	}
}
