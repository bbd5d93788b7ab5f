package hookrelay

import (
	"context"
	"errors"
	"fmt"

	"github.com/hookrelay/hookrelay/internal/store/storeopen"
)

// NoTx is the transaction type of a client made by Open: there is none. Its
// only value is nil, which Publish, PublishMany and the …Tx methods refuse
// with an error, so that such a client publishes with PublishNow and manages
// endpoints with the methods without a transaction.
type NoTx interface{ noTx() }

// Open opens the database that databaseURL names and returns a client that
// owns it: Close closes it. databaseURL is what `hookrelay serve` takes as
// DATABASE_URL: a postgres:// URL or a keyword/value string (host=… user=…)
// for PostgreSQL; a file path, sqlite:PATH or file:PATH for SQLite (the file
// is created when missing, its folder must exist). Any other scheme is
// refused with an error that matches ErrInvalid. The schema is migrated
// unless cfg.SkipMigrate; cfg is checked as Config.Validate does.
//
// Open suits a program that only runs workers, manages endpoints or
// publishes with PublishNow: the application holds no transaction on the
// client's database, so the client's transaction type is NoTx. To write in
// the application's own transactions, use NewPostgres (pgx), NewPostgresSQL
// (database/sql on PostgreSQL) or NewSQLite on the application's pool or
// database.
func Open(ctx context.Context, databaseURL string, cfg Config) (*Client[NoTx], error) {
	if _, _, err := storeopen.Parse(databaseURL); err != nil {
		return nil, fmt.Errorf("hookrelay: Open: %w: %w", ErrInvalid, err)
	}
	st, err := storeopen.Open(ctx, databaseURL)
	if err != nil {
		return nil, fmt.Errorf("hookrelay: open database: %w", err)
	}
	c, err := newClient(ctx, st, noTxDriver{}, []Option{WithConfig(cfg)})
	if err != nil {
		st.Close()
		return nil, err
	}
	c.closeStore = st.Close
	return c, nil
}

// noTxDriver is the driver of a client without the application's
// transactions (Open).
type noTxDriver struct{}

// errNoTx is the error of a transaction given to a client made by Open.
var errNoTx = errors.New("this client (hookrelay.Open) has no transaction of the application's to write in; use PublishNow and the methods without a transaction, or NewPostgres, NewPostgresSQL or NewSQLite")

func (noTxDriver) inTx(NoTx) (txStore, error) { return nil, errNoTx }
