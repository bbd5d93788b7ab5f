package hookrelay

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/postgres"
)

// NewPostgres returns a client on the application's PostgreSQL pool. hookrelay's
// tables live in the pool's schema (its search_path) beside the application's;
// NewPostgres migrates them unless WithoutMigrate is given. opts set the client's
// Config (WithConfig gives a whole one); a bad setting is an error naming
// the option or, through WithConfig, a *ConfigError. Publish then takes the
// application's pgx.Tx on that pool. The pool stays the application's: the
// client never closes it, Close included.
func NewPostgres(ctx context.Context, pool *pgxpool.Pool, opts ...Option) (*Client, error) {
	if pool == nil {
		return nil, errors.New("hookrelay: NewPostgres: nil pool")
	}
	return newClient(ctx, postgres.New(pool), publishPgx, publishManyPgx, opts)
}

// publishPgx publishes in a pgx.Tx.
func publishPgx(ctx context.Context, tx Tx, ev store.Event, opts store.PublishOptions) (store.PublishResult, error) {
	pgxTx, err := asPgx(tx)
	if err != nil {
		return store.PublishResult{}, err
	}
	return postgres.PublishTx(ctx, pgxTx, ev, opts)
}

// publishManyPgx publishes many events in a pgx.Tx.
func publishManyPgx(ctx context.Context, tx Tx, pubs []store.Publication) ([]store.PublicationResult, error) {
	pgxTx, err := asPgx(tx)
	if err != nil {
		return nil, err
	}
	return postgres.PublishManyTx(ctx, pgxTx, pubs)
}

// asPgx is tx as the pgx.Tx that a client on PostgreSQL publishes in.
func asPgx(tx Tx) (pgx.Tx, error) {
	pgxTx, ok := tx.(pgx.Tx)
	if !ok {
		return nil, fmt.Errorf("this client is on PostgreSQL and publishes in a pgx.Tx, got %T", tx)
	}
	return pgxTx, nil
}
