package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/jackc/pgx/v5"

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
		var b [6]byte
		_, _ = rand.Read(b[:])
		schema := "hookrelay_bench_" + hex.EncodeToString(b[:])
		conn, err := pgx.Connect(ctx, databaseURL)
		if err != nil {
			return nil, "", nil, fmt.Errorf("connect: %w", err)
		}
		if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
			conn.Close(ctx)
			return nil, "", nil, fmt.Errorf("create schema: %w", err)
		}
		cleanup := func() {
			_, _ = conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			conn.Close(context.Background())
		}
		u, err := url.Parse(databaseURL)
		if err != nil {
			cleanup()
			return nil, "", nil, err
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		st, err := postgres.Open(ctx, u.String())
		if err == nil {
			err = st.Migrate(ctx)
		}
		if err != nil {
			cleanup()
			return nil, "", nil, err
		}
		return st, u.String(), cleanup, nil
	}}
}
