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
	s, err := postgres.Open(context.Background(), testdb.PostgresURL(t))
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	return migrated(t, s)
}

// NewSQLite returns a migrated SQLite store in a file of its own.
func NewSQLite(t *testing.T) store.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), testdb.SQLitePath(t))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	return migrated(t, s)
}

func migrated(t *testing.T, s store.Store) store.Store {
	t.Helper()
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
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
