package postgres_test

import (
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/hookrelay/hookrelay/internal/testdb"
)

// olderSchema brings the empty schema at databaseURL to what an earlier
// release left behind, for the tests that a database migrates forward with
// nothing lost: it creates hookrelay_schema_migrations, applies and records
// the migrations of dir ("migrations", or a release's copy under testdata)
// numbered below before (testdb.ApplyMigrationsBelow), then runs rows (the
// release's data: one or more statements). It returns its connection to
// the schema, closed when t ends.
func olderSchema(t *testing.T, databaseURL, dir string, before int, rows string) *pgx.Conn {
	t.Helper()
	conn := connect(t, databaseURL)
	exec := func(query string, args ...any) error {
		_, err := conn.Exec(t.Context(), query, args...)
		return err
	}
	if err := exec(`
		CREATE TABLE hookrelay_schema_migrations (
			version INT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	testdb.ApplyMigrationsBelow(t, dir, before, `INSERT INTO hookrelay_schema_migrations (version, name) VALUES ($1, $2)`, exec)
	if err := exec(rows); err != nil {
		t.Fatalf("fill the older schema: %v", err)
	}
	return conn
}
