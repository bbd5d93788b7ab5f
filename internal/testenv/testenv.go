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
	return OpenPostgres(t)
}

// NewSQLite returns a migrated SQLite store in a file of its own.
func NewSQLite(t *testing.T) store.Store {
	t.Helper()
	return OpenSQLite(t)
}

// OpenPostgres is NewPostgres for any test, benchmark or fuzz target: a
// migrated PostgreSQL store in a schema of its own, closed when tb ends.
func OpenPostgres(tb testing.TB) store.Store {
	tb.Helper()
	s, err := postgres.Open(context.Background(), testdb.PostgresURL(tb))
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	return migrated(tb, s)
}

// OpenSQLite is NewSQLite for any test, benchmark or fuzz target: a
// migrated SQLite store in a file of its own, closed when tb ends.
func OpenSQLite(tb testing.TB) store.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), testdb.SQLitePath(tb))
	if err != nil {
		tb.Fatalf("open sqlite: %v", err)
	}
	return migrated(tb, s)
}

func migrated(tb testing.TB, s store.Store) store.Store {
	tb.Helper()
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
