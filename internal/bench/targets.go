package bench

import (
	"context"
	"os"
	"path/filepath"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/postgres"
	"github.com/hookrelay/hookrelay/internal/store/sqlite"
)

// SQLiteTarget runs against a SQLite file in a temporary folder.
func SQLiteTarget() Target {
	return Target{Name: "sqlite", Open: func(ctx context.Context) (store.Store, string, func(), error) {
		dir, err := os.MkdirTemp("", "hookrelay-bench-")
		if err != nil {
			return nil, "", nil, err
		}
		path := filepath.Join(dir, "bench.db")
		cleanup := func() { os.RemoveAll(dir) }
		st, err := sqlite.Open(ctx, path)
		if err == nil {
			err = st.Migrate(ctx)
		}
		if err != nil {
			cleanup()
			return nil, "", nil, err
		}
		return st, path, cleanup, nil
	}}
}

// PostgresTarget runs against a schema of its own in the database at
// databaseURL, dropped at the end.
func PostgresTarget(databaseURL string) Target {
	return Target{Name: "postgres", Open: func(ctx context.Context) (store.Store, string, func(), error) {
		schemaURL, drop, err := postgres.CreateSchema(ctx, databaseURL, "hookrelay_bench_")
		if err != nil {
			return nil, "", nil, err
		}
		cleanup := func() { _ = drop(context.Background()) }
		st, err := postgres.Open(ctx, schemaURL)
		if err == nil {
			err = st.Migrate(ctx)
		}
		if err != nil {
			cleanup()
			return nil, "", nil, err
		}
		return st, schemaURL, cleanup, nil
	}}
}
