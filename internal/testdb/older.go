package testdb

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// ApplyMigrationsBelow brings an empty schema or file to what an earlier
// release left behind, for the tests that a database migrates forward with
// nothing lost: it applies the migrations of dir (a store's "migrations", or
// a release's copy under testdata) numbered below before, in order, each
// with exec, and records each with exec(record, version, name), record
// being the store's INSERT into hookrelay_schema_migrations (its own
// placeholders). The table itself is the caller's to create.
func ApplyMigrationsBelow(t testing.TB, dir string, before int, record string, exec func(query string, args ...any) error) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
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
		if err := exec(string(body)); err != nil {
			t.Fatalf("apply %s: %v", file, err)
		}
		if err := exec(record, version, name); err != nil {
			t.Fatalf("record %s: %v", file, err)
		}
	}
}
