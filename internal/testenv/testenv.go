// Package testenv runs a test against every store: PostgreSQL (a schema of
// its own) and SQLite (a file of its own), each migrated and closed when the
// test ends.
package testenv

import (
	"context"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/encrypted"
	"github.com/hookrelay/hookrelay/internal/store/postgres"
	"github.com/hookrelay/hookrelay/internal/store/sqlite"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// EachStore runs test once per store, as subtests named "postgres" and "sqlite".
func EachStore(t *testing.T, test func(t *testing.T, newStore func(*testing.T) store.Store)) {
	t.Run("postgres", func(t *testing.T) { test(t, NewPostgres) })
	t.Run("sqlite", func(t *testing.T) { test(t, NewSQLite) })
}

// NewPostgres returns a migrated PostgreSQL store in a schema of its own.
func NewPostgres(t *testing.T) store.Store {
	t.Helper()
	return PostgresAt(t, testdb.PostgresURL(t))
}

// NewSQLite returns a migrated SQLite store in a file of its own.
func NewSQLite(t *testing.T) store.Store {
	t.Helper()
	return SQLiteAt(t, testdb.SQLitePath(t))
}

// PostgresAt returns a migrated PostgreSQL store on databaseURL (a schema
// of testdb.PostgresURL, say, that several stores share as several
// processes do), closed when tb ends; tb may be a benchmark or a fuzz
// target.
func PostgresAt(tb testing.TB, databaseURL string) store.Store {
	tb.Helper()
	s, err := postgres.Open(context.Background(), databaseURL)
	return migrated(tb, "postgres", s, err)
}

// SQLiteAt returns a migrated SQLite store on the file at path, closed when
// tb ends; tb may be a benchmark or a fuzz target.
func SQLiteAt(tb testing.TB, path string) store.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), path)
	return migrated(tb, "sqlite", s, err)
}

// migrated fails tb with err, the error of opening s (a store of kind, its
// name for the message), or closes s when tb ends and migrates it.
func migrated(tb testing.TB, kind string, s store.Store, err error) store.Store {
	tb.Helper()
	if err != nil {
		tb.Fatalf("open %s: %v", kind, err)
	}
	tb.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return s
}

// Sealed wraps st so that it keeps secrets encrypted at rest under a fixed
// test key (store/encrypted), as serve does with HOOKRELAY_ENCRYPTION_KEY.
func Sealed(t *testing.T, st store.Store) store.Store {
	t.Helper()
	sealed, err := encrypted.Wrap(st, []byte("test-key-0123456789abcdef-012345"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return sealed
}
