package hookrelay

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hookrelay/hookrelay/internal/endpointrules"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/encrypted"
	"github.com/hookrelay/hookrelay/internal/store/postgres"
)

// Client publishes events and manages endpoints in the application's
// database and, once started, runs delivery workers in the application's
// process. It is safe for concurrent use.
type Client struct {
	store     store.Store
	publishTx publishTxFunc
	settings  settings
	endpoints endpointrules.Checker
	workers   workers
}

// publishTxFunc publishes in the caller's transaction of one kind of store.
type publishTxFunc func(ctx context.Context, tx Tx, ev store.Event, opts store.PublishOptions) (store.PublishResult, error)

// NewPostgres returns a client on the application's PostgreSQL pool. hookrelay's
// tables live in the pool's schema (its search_path) beside the application's;
// New migrates them unless WithoutMigrate is given. Publish then takes the
// application's pgx.Tx on that pool. The pool stays the application's: the
// client never closes it.
func NewPostgres(ctx context.Context, pool *pgxpool.Pool, opts ...Option) (*Client, error) {
	if pool == nil {
		return nil, errors.New("hookrelay: NewPostgres: nil pool")
	}
	return newClient(ctx, postgres.New(pool), publishPgx, opts)
}

// publishPgx publishes in a pgx.Tx.
func publishPgx(ctx context.Context, tx Tx, ev store.Event, opts store.PublishOptions) (store.PublishResult, error) {
	pgxTx, ok := tx.(pgx.Tx)
	if !ok {
		return store.PublishResult{}, fmt.Errorf("this client is on PostgreSQL and publishes in a pgx.Tx, got %T", tx)
	}
	return postgres.PublishTx(ctx, pgxTx, ev, opts)
}

// newClient applies opts and readies st: migrated (or checked), and wrapped
// to encrypt secrets when a key is given.
func newClient(ctx context.Context, st store.Store, publishTx publishTxFunc, opts []Option) (*Client, error) {
	s, err := newSettings(opts)
	if err != nil {
		return nil, err
	}
	if s.migrate {
		if err := st.Migrate(ctx); err != nil {
			return nil, fmt.Errorf("hookrelay: %w", err)
		}
	} else if current, err := st.MigrationsCurrent(ctx); err != nil {
		return nil, fmt.Errorf("hookrelay: check migrations: %w", err)
	} else if !current {
		return nil, errors.New("hookrelay: the database schema is not up to date; run `hookrelay migrate` or drop WithoutMigrate")
	}
	if s.key != nil {
		if st, err = encrypted.Wrap(st, s.key); err != nil {
			return nil, fmt.Errorf("hookrelay: %w", err)
		}
	}
	return &Client{
		store:     st,
		publishTx: publishTx,
		settings:  s,
		endpoints: endpointrules.Checker{AllowPrivate: s.allowPrivate},
	}, nil
}
