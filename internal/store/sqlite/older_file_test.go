package sqlite_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store/sqlite"
)

// olderFile brings the new file at path to what an earlier release left
// behind, for the tests that a file migrates forward with nothing lost: it
// applies the migrations numbered below before, in order, records each in
// hookrelay_schema_migrations as Migrate does, then runs rows (the release's
// data: one or more statements). It closes its connection before it
// returns, so that the store the test opens next is the file's only user.
func olderFile(t *testing.T, path string, before int, rows string) {
	t.Helper()
	db, err := sql.Open("sqlite", sqlite.DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(t.Context(), `
		CREATE TABLE hookrelay_schema_migrations (
			version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL DEFAULT 0)`); err != nil {
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
		if _, err := db.ExecContext(t.Context(), string(body)); err != nil {
			t.Fatalf("apply %s: %v", file, err)
		}
		if _, err := db.ExecContext(t.Context(), `INSERT INTO hookrelay_schema_migrations (version, name) VALUES (?, ?)`, version, name); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ExecContext(t.Context(), rows); err != nil {
		t.Fatalf("fill the older file: %v", err)
	}
}
