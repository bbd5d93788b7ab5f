package postgres

import (
	"context"
	"embed"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hookrelay/hookrelay/internal/store/migration"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrations loads the embedded schema migrations.
func migrations() ([]migration.Migration, error) {
	return migration.Load(migrationFiles, "migrations")
}

// The table of applied migrations, in the connection's schema. Its name is
// hookrelay's own, so that an application sharing the schema may keep a
// schema_migrations table of its migration tool (golang-migrate's, as Ackify
// CE does) there. It is created only when missing, so that a role without the
// CREATE privilege (a runtime role beside Ackify's) migrates a current schema
// as a no-op.
const createMigrationsTable = `
	CREATE TABLE hookrelay_schema_migrations (
		version    INT PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
	)`

// lockMigrations serialises migrations of one schema across processes until
// the transaction ends.
const lockMigrations = `SELECT pg_advisory_xact_lock(hashtext('hookrelay.migrate.' || current_schema()))`

// Migrate applies the embedded migrations that are not applied yet, each in
// its own transaction. Several processes may migrate one schema at once: an
// advisory lock makes them take turns, and each skips what another applied.
func (s *Store) Migrate(ctx context.Context) error {
	all, err := migrations()
	if err != nil {
		return err
	}
	for {
		var done bool
		err := s.inTx(ctx, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, lockMigrations); err != nil {
				return fmt.Errorf("lock: %w", err)
			}
			if err := ensureMigrationsTable(ctx, tx); err != nil {
				return err
			}
			applied, err := appliedVersions(ctx, tx)
			if err != nil {
				return err
			}
			pending := migration.Pending(all, applied)
			if len(pending) == 0 {
				done = true
				return nil
			}
			return apply(ctx, tx, pending[0])
		})
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if done {
			return nil
		}
	}
}

// ensureMigrationsTable creates hookrelay_schema_migrations when it is
// missing. It reads pg_tables, whose rows the statement's snapshot shows as
// committed by a process that held the lock before (to_regclass reads the
// catalog cache, which may not have seen that commit yet).
func ensureMigrationsTable(ctx context.Context, tx pgx.Tx) error {
	const look = `
		SELECT EXISTS (
			SELECT FROM pg_catalog.pg_tables
			WHERE schemaname = current_schema() AND tablename = 'hookrelay_schema_migrations')`
	var exists bool
	if err := tx.QueryRow(ctx, look).Scan(&exists); err != nil {
		return fmt.Errorf("look for hookrelay_schema_migrations: %w", err)
	}
	if exists {
		return nil
	}
	if _, err := tx.Exec(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("create hookrelay_schema_migrations: %w", err)
	}
	return nil
}

// apply runs one migration and records it.
func apply(ctx context.Context, tx pgx.Tx, m migration.Migration) error {
	if _, err := tx.Exec(ctx, m.SQL); err != nil {
		return fmt.Errorf("apply %s: %w", m.Name, err)
	}
	const record = `INSERT INTO hookrelay_schema_migrations (version, name) VALUES ($1, $2)`
	if _, err := tx.Exec(ctx, record, m.Version, m.Name); err != nil {
		return fmt.Errorf("record %s: %w", m.Name, err)
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
	if err := s.pool.QueryRow(ctx, `SELECT to_regclass('hookrelay_schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return false, fmt.Errorf("check migrations: %w", err)
	}
	if !exists {
		return false, nil
	}
	applied, err := appliedVersions(ctx, s.pool)
	if err != nil {
		return false, err
	}
	return len(migration.Pending(all, applied)) == 0, nil
}

// appliedVersions reads the versions recorded in hookrelay_schema_migrations.
func appliedVersions(ctx context.Context, q querier) (map[int]bool, error) {
	rows, err := q.Query(ctx, `SELECT version FROM hookrelay_schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("read hookrelay_schema_migrations: %w", err)
	}
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int])
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
// order (none when the schema holds no hookrelay_schema_migrations table). It
// is not part of store.Store: `hookrelay migrate` uses it to say what it did.
func (s *Store) AppliedMigrations(ctx context.Context) ([]string, error) {
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT to_regclass('hookrelay_schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return nil, fmt.Errorf("check migrations: %w", err)
	}
	if !exists {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT name FROM hookrelay_schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("read hookrelay_schema_migrations: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("read hookrelay_schema_migrations: %w", err)
	}
	return names, nil
}
