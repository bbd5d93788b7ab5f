package hookrelay

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hookrelay/hookrelay/internal/store"
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
// with SQLiteDSN. hookrelay's tables live beside the application's; NewSQLite
// migrates them unless WithoutMigrate is given. Publish then takes the
// application's *sql.Tx on db; workers of this process see what it publishes
// at their next poll (Config.PollInterval). opts set the client's Config, as
// for NewPostgres. db stays the application's: the client never closes it,
// Close included.
func NewSQLite(ctx context.Context, db *sql.DB, opts ...Option) (*Client, error) {
	if db == nil {
		return nil, errors.New("hookrelay: NewSQLite: nil database")
	}
	return newClient(ctx, sqlite.New(db), publishSQL, publishManySQL, opts)
}

// publishSQL publishes in a *sql.Tx.
func publishSQL(ctx context.Context, tx Tx, ev store.Event, opts store.PublishOptions) (store.PublishResult, error) {
	sqlTx, err := asSQL(tx)
	if err != nil {
		return store.PublishResult{}, err
	}
	return sqlite.PublishTx(ctx, sqlTx, ev, opts)
}

// publishManySQL publishes many events in a *sql.Tx.
func publishManySQL(ctx context.Context, tx Tx, pubs []store.Publication) ([]store.PublicationResult, error) {
	sqlTx, err := asSQL(tx)
	if err != nil {
		return nil, err
	}
	return sqlite.PublishManyTx(ctx, sqlTx, pubs)
}

// asSQL is tx as the *sql.Tx that a client on SQLite publishes in.
func asSQL(tx Tx) (*sql.Tx, error) {
	sqlTx, ok := tx.(*sql.Tx)
	if !ok {
		return nil, fmt.Errorf("this client is on SQLite and publishes in a *sql.Tx, got %T", tx)
	}
	return sqlTx, nil
}
