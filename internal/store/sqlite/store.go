// Package sqlite is the embedded SQLite implementation of store.Store: the
// default store, with no setup, for one hookrelay node. It uses
// modernc.org/sqlite (pure Go, no cgo) and behaves as store/postgres does; both
// pass the conformance suite in store/storetest.
//
// The schema is the PostgreSQL one with SQLite types (see
// migrations/001_webhooks.sql): times are INTEGER microseconds since the Unix
// epoch, lists and maps are JSON text. It is embedded and applied by Migrate.
//
// Writes go through one connection, in BEGIN IMMEDIATE transactions, so that
// writers of this process queue in Go rather than fail with SQLITE_BUSY, and
// writers of other processes on the same file (`hookrelay migrate`, a CLI)
// wait on the lock for up to the busy timeout. Reads use a pool of read-only
// connections that the writer never blocks (WAL mode). Batches (claim,
// complete, release, fan-out) are a few statements per transaction, whatever
// their size: lists travel as one JSON parameter read with json_each.
// Concurrent publishes share write transactions (group commit). Every
// statement is prepared once and kept.
//
// The queue statements steer SQLite's planner, which has no statistics
// (ANALYZE) to go by: Claim, RescueExpired and DeleteFinishedBefore name the
// index they walk (INDEXED BY), and the batch updates disable the status
// indexes with a unary + (+status = 'processing') so that they look each row
// up by ID. Otherwise SQLite reads every row of a status and then sorts or
// joins them, work that grows with the queue rather than with the batch.
//
// Every time the store returns is in UTC.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"time"

	// The pure Go SQLite driver, registered as "sqlite".
	_ "modernc.org/sqlite"

	"github.com/hookrelay/hookrelay/internal/store"
)

// Store is a store.Store on one SQLite database file.
type Store struct {
	writes        *statements // on the write pool
	reads         *statements // on the read pool
	publishes     *store.PublishQueue
	wakeups       *broadcast[struct{}]
	deactivations *broadcast[int64]
}

var _ store.Store = (*Store)(nil)

// busyTimeout is how long a statement waits for a lock that another process
// holds before it fails with SQLITE_BUSY.
const busyTimeout = 10 * time.Second

// pragmas are run on every connection.
//
// Durability: the database is in WAL mode with synchronous=FULL, so every
// commit fsyncs the WAL before it returns. A committed publish then survives a
// crash of the process (kill -9) and also of the machine (power loss), as a
// commit does on PostgreSQL with its default synchronous_commit. NORMAL would
// survive kill -9 too (the WAL is written before the commit returns, only not
// synced), but could lose the last commits on power loss: an accepted event
// that is never delivered. The fsync costs one per write transaction, which
// batching keeps few: one per claim or complete batch, and one per group of
// concurrent publishes (see Publish).
var pragmas = []string{
	fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()),
	"journal_mode(WAL)",
	"synchronous(FULL)",
	"foreign_keys(1)",
	"temp_store(MEMORY)",
}

// Open opens (creating it when missing) the SQLite database file at path and
// checks that it answers. Any character may stand in path. It does not
// migrate.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || path == ":memory:" {
		// Each connection to :memory: would be a database of its own.
		return nil, fmt.Errorf("open SQLite: %q is not a file path", path)
	}
	write, err := openPool(ctx, path, false)
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	// The read pool opens after the write pool has put the file in WAL mode.
	read, err := openPool(ctx, path, true)
	if err != nil {
		write.Close()
		return nil, err
	}
	read.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	read.SetMaxIdleConns(max(4, runtime.GOMAXPROCS(0)))
	return newStore(write, read), nil
}

// openPool opens a connection pool on path and pings it. A read-only pool's
// connections refuse every write (query_only).
func openPool(ctx context.Context, path string, readOnly bool) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn(path, readOnly))
	if err != nil {
		return nil, fmt.Errorf("open SQLite %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open SQLite %s: %w", path, err)
	}
	return db, nil
}

// dsn is the driver's data source name for path: a file: URI, so that any
// character may stand in path, with the pragmas and, for writers, BEGIN
// IMMEDIATE transactions (the write lock is taken at BEGIN, never upgraded
// later, which is where concurrent writers would fail with SQLITE_BUSY).
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	u := url.URL{Scheme: "file", OmitHost: true, Path: path, RawQuery: q.Encode()}
	return u.String()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.reads.db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping SQLite: %w", err)
	}
	return nil
}

// Close closes the prepared statements and both connection pools.
func (s *Store) Close() error {
	return errors.Join(s.reads.close(), s.writes.close(), s.reads.db.Close(), s.writes.db.Close())
}

// inTx runs fn in a write transaction through the prepared statements of the
// write pool, committed when fn returns nil and rolled back otherwise.
//
// The queries that fn ran unprepared are prepared once the transaction has
// committed, for the next time. That is an optimisation only: a query that
// fails to prepare then (the context ended, the store is closing) runs
// unprepared again next time, so the error is dropped.
func (s *Store) inTx(ctx context.Context, fn func(tx execer) error) error {
	var missed []string
	err := s.transact(ctx, func(tx *sql.Tx) error {
		return fn(txStatements{tx: tx, stmts: s.writes, missed: &missed})
	})
	if err != nil {
		return err
	}
	for _, query := range missed {
		_, _ = s.writes.prepare(ctx, query)
	}
	return nil
}

// transact runs fn in a write transaction, committed when fn returns nil and
// rolled back otherwise.
func (s *Store) transact(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.writes.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		// A cancelled context may have rolled tx back already.
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("roll back: %w", rbErr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// exec runs one write statement in a transaction of its own and returns how
// many rows it changed.
func (s *Store) exec(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx execer) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// writeOne runs query, a write returning one row, in a transaction of its
// own and scans the row with dest (store.ErrNotFound when none).
func writeOne[T any](ctx context.Context, s *Store, query string, args []any, dest func(*T) []any) (T, error) {
	return inTxValue(ctx, s, func(tx execer) (T, error) {
		rows, err := tx.QueryContext(ctx, query, args...)
		return queryOne(rows, err, dest)
	})
}

// inTxValue runs fn in a write transaction (inTx) and returns its value.
func inTxValue[T any](ctx context.Context, s *Store, fn func(tx execer) (T, error)) (T, error) {
	var v T
	err := s.inTx(ctx, func(tx execer) error {
		var err error
		v, err = fn(tx)
		return err
	})
	return v, err
}

// TenantFormat reports store.TenantText: SQLite's tenant IDs are text.
func (s *Store) TenantFormat(context.Context) (store.TenantFormat, error) {
	return store.TenantText, nil
}
