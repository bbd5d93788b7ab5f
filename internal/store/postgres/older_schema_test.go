package postgres_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// olderSchema brings the empty schema at databaseURL to what an earlier
// release left behind, for the tests that a database migrates forward with
// nothing lost: it applies the migrations of dir ("migrations", or a
// release's copy under testdata) numbered below before, in order, records
// each in hookrelay_schema_migrations as Migrate does, then runs rows (the
// release's data: one or more statements). It returns its connection to the
// schema, closed when t ends.
func olderSchema(t *testing.T, databaseURL, dir string, before int, rows string) *pgx.Conn {
	t.Helper()
	conn := connect(t, databaseURL)
	files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(t.Context(), `
		CREATE TABLE hookrelay_schema_migrations (
			version INT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		version, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil {
			t.Fatalf("%s: no version: %v", file, err)
		}
		if version >= before {
			continue
		}
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(t.Context(), string(body)); err != nil {
			t.Fatalf("apply %s: %v", file, err)
		}
		if _, err := conn.Exec(t.Context(), `INSERT INTO hookrelay_schema_migrations (version, name) VALUES ($1, $2)`, version, name); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := conn.Exec(t.Context(), rows); err != nil {
		t.Fatalf("fill the older schema: %v", err)
	}
	return conn
}
