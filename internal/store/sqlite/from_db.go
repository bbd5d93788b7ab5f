package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
)

// DSN returns the data source name of the "sqlite" driver that opens the
// database file at path as Open does: WAL, synchronous=FULL, foreign keys, a
// busy timeout, and transactions that take the write lock at BEGIN
// (_txlock=immediate), which PublishTx wants. An application that shares its
// database with hookrelay opens it with sql.Open("sqlite", DSN(path)).
func DSN(path string) string {
	return dsn(path, false)
}

// New returns a store on db, the caller's handle of a database opened with
// DSN, so that the application and hookrelay share one handle and the
// application can publish in its own transactions with PublishTx. Reads and
// writes go through db; its writers, of the application's or the store's,
// take turns on the write lock, waiting for it up to the busy timeout. New
// does not migrate.
//
// The handle stays the caller's: Close closes it, so a caller that keeps
// using db must not close the store.
func New(db *sql.DB) *Store {
	return newStore(db, db)
}

// CheckHandle refuses db, an application's handle for New, when it was not
// opened with DSN in a way that correctness depends on: foreign keys off
// (deleting an endpoint would leave its deliveries behind, forever), no busy
// timeout (a writer that finds the write lock taken fails at once with
// SQLITE_BUSY instead of taking its turn), or transactions that take the
// write lock only at their first write (_txlock=immediate missing: two
// such transactions deadlock, and one fails with SQLITE_BUSY whatever the
// timeout). The pragmas are read on one connection of db; the transactions
// are checked by a second connection of the same file, which must find the
// write lock taken by a transaction of db that wrote nothing yet (a
// database in memory, which has no file to share, is not checked for it).
func CheckHandle(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("check the database handle: %w", err)
	}
	defer conn.Close()
	var foreignKeys, busyTimeout int
	var file string
	if err := conn.QueryRowContext(ctx, `SELECT foreign_keys, timeout FROM pragma_foreign_keys, pragma_busy_timeout`).Scan(&foreignKeys, &busyTimeout); err != nil {
		return fmt.Errorf("check the database handle: %w", err)
	}
	if err := conn.QueryRowContext(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&file); err != nil {
		return fmt.Errorf("check the database handle: %w", err)
	}
	conn.Close()
	switch {
	case foreignKeys != 1:
		return errors.New("foreign keys are off (PRAGMA foreign_keys)")
	case busyTimeout <= 0:
		return errors.New("no busy timeout (PRAGMA busy_timeout)")
	case file == "":
		return nil
	}
	immediate, err := beginTakesWriteLock(ctx, db, file)
	if err != nil {
		return fmt.Errorf("check the database handle: %w", err)
	}
	if !immediate {
		return errors.New("its transactions do not take the write lock when they begin (_txlock=immediate)")
	}
	return nil
}

// beginTakesWriteLock reports whether a transaction of db holds the write
// lock of file before it writes: a second connection of file, without a
// busy timeout, then cannot take it.
func beginTakesWriteLock(ctx context.Context, db *sql.DB, file string) (bool, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	probe, err := sql.Open("sqlite", (&url.URL{Scheme: "file", OmitHost: true, Path: file, RawQuery: "_pragma=busy_timeout(0)"}).String())
	if err != nil {
		return false, err
	}
	defer probe.Close()
	c, err := probe.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		var lite interface{ Code() int }
		if errors.As(err, &lite) && lite.Code()&0xff == sqliteBusy {
			return true, nil
		}
		return false, err
	}
	_, err = c.ExecContext(ctx, `ROLLBACK`)
	return false, err
}

// sqliteBusy is SQLITE_BUSY, the primary result code of a lock taken.
const sqliteBusy = 5
