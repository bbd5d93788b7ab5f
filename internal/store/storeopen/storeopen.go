// Package storeopen turns a DATABASE_URL into a store: postgres:// URLs open
// PostgreSQL, file paths and sqlite: URLs open the embedded SQLite store.
package storeopen

import (
	"context"
	"fmt"
	"strings"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/postgres"
	"github.com/hookrelay/hookrelay/internal/store/sqlite"
)

// Kind names a store implementation.
type Kind string

// The store implementations.
const (
	Postgres Kind = "postgres"
	SQLite   Kind = "sqlite"
)

// Parse tells which store databaseURL names and returns what that store's
// Open takes: the URL itself for PostgreSQL, the file path for SQLite.
func Parse(databaseURL string) (Kind, string, error) {
	u := strings.TrimSpace(databaseURL)
	switch {
	case u == "":
		return "", "", fmt.Errorf("DATABASE_URL: empty; use postgres://… or a SQLite file path")
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return Postgres, u, nil
	case strings.HasPrefix(u, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(u, "sqlite:"), "//")
		if path == "" {
			return "", "", fmt.Errorf("DATABASE_URL: %q names no SQLite file", databaseURL)
		}
		return SQLite, path, nil
	case strings.Contains(u, "://"):
		scheme, _, _ := strings.Cut(u, "://")
		return "", "", fmt.Errorf("DATABASE_URL: unsupported scheme %q; use postgres://… or a SQLite file path", scheme)
	}
	return SQLite, u, nil
}

// Open opens the store that databaseURL names. It does not migrate.
func Open(ctx context.Context, databaseURL string) (store.Store, error) {
	kind, target, err := Parse(databaseURL)
	if err != nil {
		return nil, err
	}
	switch kind {
	case Postgres:
		s, err := postgres.Open(ctx, target)
		if err != nil {
			return nil, fmt.Errorf("DATABASE_URL: %w", err)
		}
		return s, nil
	default:
		s, err := sqlite.Open(ctx, target)
		if err != nil {
			return nil, fmt.Errorf("DATABASE_URL: SQLite file %q: %w", target, err)
		}
		return s, nil
	}
}
