package hookrelay

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hookrelay/hookrelay/internal/store/postgres"
)

// NewPostgres returns a client on the application's PostgreSQL pool. hookrelay's
// tables live in the pool's schema (its search_path) beside the application's;
// NewPostgres migrates them unless WithoutMigrate is given. opts set the client's
// Config (WithConfig gives a whole one); a bad setting is an error naming
// the option or, through WithConfig, a *ConfigError. Publish and the …Tx
// methods then take the application's pgx.Tx on that pool (or on a pgx.Conn
// to the same database). The pool stays the application's: the client never
// closes it, Close included.
func NewPostgres(ctx context.Context, pool *pgxpool.Pool, opts ...Option) (*Client[pgx.Tx], error) {
	if pool == nil {
		return nil, errors.New("hookrelay: NewPostgres: nil pool")
	}
	st := postgres.New(pool)
	return newClient(ctx, st, pgxDriver{st}, opts)
}

// NewPostgresSQL returns a client for an application that reaches PostgreSQL
// through database/sql, with any driver (pgx/stdlib, lib/pq; sqlc, GORM, ent
// and bun sit on top of them): Publish and the …Tx methods then take the
// application's *sql.Tx on db.
//
// hookrelay's own work (migrations, the workers' claims and their LISTEN for
// new deliveries, the methods without a transaction) runs on a pgx pool that
// the client opens from databaseURL, a postgres:// URL or keyword/value
// string of the same database and schema as db (Open says what it accepts;
// a db whose current_database() or current_schema() differs is refused):
// database/sql cannot LISTEN, and the workers' statements are pgx's. Close
// closes that pool; db stays the application's. NewPostgresSQL migrates
// hookrelay's tables unless WithoutMigrate is given; opts are as for
// NewPostgres.
func NewPostgresSQL(ctx context.Context, db *sql.DB, databaseURL string, opts ...Option) (*Client[*sql.Tx], error) {
	if db == nil {
		return nil, errors.New("hookrelay: NewPostgresSQL: nil database")
	}
	st, err := postgres.Open(ctx, databaseURL)
	if err != nil {
		return nil, fmt.Errorf("hookrelay: NewPostgresSQL: %w", err)
	}
	if err := st.CheckSameDatabase(ctx, db); err != nil {
		st.Close()
		return nil, fmt.Errorf("hookrelay: NewPostgresSQL: %w", err)
	}
	c, err := newClient(ctx, st, sqlPostgresDriver{st}, opts)
	if err != nil {
		st.Close()
		return nil, err
	}
	c.closeStore = st.Close
	return c, nil
}

// pgxDriver is a client's driver on pgx: transactions are pgx.Tx.
type pgxDriver struct{ st *postgres.Store }

func (d pgxDriver) inTx(tx pgx.Tx) (txStore, error) {
	if tx == nil || nilPointer(tx) {
		return nil, errNilTx
	}
	return d.st.InTx(tx), nil
}

// sqlPostgresDriver is a client's driver on database/sql for PostgreSQL:
// transactions are *sql.Tx of any driver.
type sqlPostgresDriver struct{ st *postgres.Store }

func (d sqlPostgresDriver) inTx(tx *sql.Tx) (txStore, error) {
	if tx == nil {
		return nil, errNilTx
	}
	return d.st.InSQLTx(tx), nil
}

// nilPointer reports whether tx, an interface that is not nil, holds a nil
// pointer (var t *pgxpool.Tx passed as a pgx.Tx): a nil transaction too,
// whose methods would panic.
func nilPointer(tx any) bool {
	v := reflect.ValueOf(tx)
	return v.Kind() == reflect.Pointer && v.IsNil()
}
