package bench

import (
	"context"
	"os"
	"path/filepath"

	"github.com/hookrelay/hookrelay/internal/store/postgres"
)

// SQLiteTarget runs against a new SQLite file in a temporary folder.
func SQLiteTarget() Target {
	return Target{Name: "sqlite", Create: func(context.Context) (string, func(), error) {
		dir, err := os.MkdirTemp("", "hookrelay-bench-")
		if err != nil {
			return "", nil, err
		}
		return filepath.Join(dir, "bench.db"), func() { _ = os.RemoveAll(dir) }, nil
	}}
}

// PostgresTarget runs against a new schema in the database at databaseURL,
// dropped at the end.
func PostgresTarget(databaseURL string) Target {
	return Target{Name: "postgres", Create: func(ctx context.Context) (string, func(), error) {
		schemaURL, drop, err := postgres.CreateSchema(ctx, databaseURL, "hookrelay_bench_")
		if err != nil {
			return "", nil, err
		}
		return schemaURL, func() { _ = drop(context.Background()) }, nil
	}}
}
