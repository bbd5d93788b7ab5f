package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/internal/store/migration"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrations loads the embedded schema migrations.
func migrations() ([]migration.Migration, error) {
	return migration.Load(migrationFiles, "migrations")
}

// The table of applied migrations; applied_at is a time column
// (microseconds since the Unix epoch). Its name is hookrelay's own, so that
// an application sharing the file may keep a schema_migrations table of its
// migration tool (golang-migrate's) there.
const createMigrationsTable = `
	CREATE TABLE IF NOT EXISTS hookrelay_schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at INTEGER NOT NULL
	)`

// Migrate applies the embedded migrations that are not applied yet, in
// version order, each in its own write transaction. The write lock of BEGIN
// IMMEDIATE makes processes that migrate one file at once take turns, and a
// migration that another process applied meanwhile is skipped.
func (s *Store) Migrate(ctx context.Context) error {
	all, err := migrations()
	if err != nil {
		return err
	}
	if _, err := s.writes.db.ExecContext(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("migrate: create hookrelay_schema_migrations: %w", err)
	}
	for _, m := range all {
		err := s.transact(ctx, func(tx *sql.Tx) error {
			var applied bool
			const check = `SELECT count(*) > 0 FROM hookrelay_schema_migrations WHERE version = ?`
			if err := tx.QueryRowContext(ctx, check, m.Version).Scan(&applied); err != nil || applied {
				return err
			}
			return apply(ctx, tx, m)
		})
		if err != nil {
			return fmt.Errorf("migrate: %s: %w", m.Name, err)
		}
	}
	return nil
}

// apply runs one migration and records it.
func apply(ctx context.Context, tx *sql.Tx, m migration.Migration) error {
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	const record = `INSERT INTO hookrelay_schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`
	if _, err := tx.ExecContext(ctx, record, m.Version, m.Name, micros(time.Now())); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	return nil
}

// MigrationsCurrent reports whether every embedded migration is applied.
func (s *Store) MigrationsCurrent(ctx context.Context) (bool, error) {
	all, err := migrations()
	if err != nil {
		return false, err
	}
	var exists bool
	const table = `SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = 'hookrelay_schema_migrations'`
	if err := s.reads.db.QueryRowContext(ctx, table).Scan(&exists); err != nil {
		return false, fmt.Errorf("check migrations: %w", err)
	}
	if !exists {
		return false, nil
	}
	applied, err := appliedVersions(ctx, s.reads.db)
	if err != nil {
		return false, err
	}
	return len(migration.Pending(all, applied)) == 0, nil
}

// appliedVersions reads the versions recorded in hookrelay_schema_migrations.
func appliedVersions(ctx context.Context, q execer) (map[int]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT version FROM hookrelay_schema_migrations`)
	versions, err := queryAll(rows, err, func(v *int) []any { return []any{v} })
	if err != nil {
		return nil, fmt.Errorf("read hookrelay_schema_migrations: %w", err)
	}
	applied := make(map[int]bool, len(versions))
	for _, v := range versions {
		applied[v] = true
	}
	return applied, nil
}

// AppliedMigrations returns the names of the applied migrations in version
// order (none when the file holds no hookrelay_schema_migrations table). It
// is not part of store.Store: `hookrelay migrate` uses it to say what it did.
func (s *Store) AppliedMigrations(ctx context.Context) ([]string, error) {
	var exists bool
	const table = `SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = 'hookrelay_schema_migrations'`
	if err := s.reads.db.QueryRowContext(ctx, table).Scan(&exists); err != nil {
		return nil, fmt.Errorf("check migrations: %w", err)
	}
	if !exists {
		return nil, nil
	}
	rows, err := s.reads.db.QueryContext(ctx, `SELECT name FROM hookrelay_schema_migrations ORDER BY version`)
	names, err := queryAll(rows, err, func(n *string) []any { return []any{n} })
	if err != nil {
		return nil, fmt.Errorf("read hookrelay_schema_migrations: %w", err)
	}
	return names, nil
}
