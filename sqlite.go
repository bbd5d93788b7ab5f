package hookrelay

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hookrelay/hookrelay/internal/store/sqlite"
)

// SQLiteDSN returns the data source name that opens the SQLite database file
// at path for NewSQLite, creating it when missing:
//
//	db, err := sql.Open("sqlite", hookrelay.SQLiteDSN(path))
//
// The "sqlite" driver (modernc.org/sqlite, pure Go) is registered by this
// package. The name sets WAL mode, synchronous=FULL, foreign keys, a busy
// timeout, and transactions that take the write lock when they begin, so that
// writers, the application's and hookrelay's, take turns instead of failing.
func SQLiteDSN(path string) string {
	return sqlite.DSN(path)
}

// NewSQLite returns a client on the application's SQLite database, opened
// with SQLiteDSN: a db without foreign keys, without a busy timeout or whose
// transactions do not take the write lock when they begin (as SQLiteDSN
// sets them) is refused with an error saying so. hookrelay's tables live beside the application's; NewSQLite
// migrates them unless WithoutMigrate is given. Publish and the …Tx methods
// then take the application's *sql.Tx on db; workers of this process see
// what it writes at their next poll (Config.PollInterval). opts set the
// client's Config, as for NewPostgres. db stays the application's: the client
// never closes it, Close included.
func NewSQLite(ctx context.Context, db *sql.DB, opts ...Option) (*Client[*sql.Tx], error) {
	if db == nil {
		return nil, errors.New("hookrelay: NewSQLite: nil database")
	}
	if err := sqlite.CheckHandle(ctx, db); err != nil {
		return nil, fmt.Errorf("hookrelay: NewSQLite: the database must be opened with sql.Open(\"sqlite\", hookrelay.SQLiteDSN(path)): %w", err)
	}
	st := sqlite.New(db)
	return newClient(ctx, st, sqliteDriver{st}, opts)
}

// sqliteDriver is a client's driver on SQLite: transactions are *sql.Tx.
type sqliteDriver struct{ st *sqlite.Store }

func (d sqliteDriver) inTx(tx *sql.Tx) (txStore, error) {
	if tx == nil {
		return nil, errNilTx
	}
	return d.st.InTx(tx), nil
}
