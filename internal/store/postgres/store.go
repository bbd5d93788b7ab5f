// Package postgres is the PostgreSQL implementation of store.Store: the
// production store, shared by several hookrelay processes on one database.
//
// The delivery queue is the seed's webhook_deliveries table. Workers claim
// rows with FOR UPDATE SKIP LOCKED and hold them by a lease (lease_expires_at,
// locked_by, retry_count); publishers wake them with NOTIFY on the
// hookrelay_deliveries channel. Concurrent publishes share transactions
// (group commit, see Publish), and a batch of events is written set-based,
// a few statements whatever its size (see PublishMany). Every time the store
// returns is in UTC.
//
// The schema is embedded (migrations/NNN_name.sql) and applied by Migrate.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hookrelay/hookrelay/internal/store"
)

// Store is a store.Store on a PostgreSQL connection pool.
type Store struct {
	pool      *pgxpool.Pool
	publishes *store.PublishQueue
	// tenantFormat caches TenantFormat (see tenantFormatUnknown).
	tenantFormat atomic.Int32
}

var _ store.Store = (*Store)(nil)

// defaultMaxConns is the pool size when the URL sets no pool_max_conns:
// enough for the API's publishes, the workers' claims and their batched
// outcome writes to run side by side (pgxpool's own default, the number of
// CPUs, makes them queue behind each other on a small machine).
const defaultMaxConns = 16

// Open connects to the PostgreSQL database at databaseURL (a postgres:// URL;
// query parameters such as sslmode, search_path and pool_max_conns are
// honoured) and checks that it answers. It does not migrate.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse PostgreSQL URL: %w", err)
	}
	if !strings.Contains(databaseURL, "pool_max_conns") {
		cfg.MaxConns = defaultMaxConns
	}
	cfg.AfterConnect = func(_ context.Context, conn *pgx.Conn) error {
		scanInUTC(conn)
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open PostgreSQL pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to PostgreSQL at %s:%d: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	return newStore(pool), nil
}

// scanInUTC makes conn return timestamptz values in UTC.
func scanInUTC(conn *pgx.Conn) {
	conn.TypeMap().RegisterType(&pgtype.Type{
		Name:  "timestamptz",
		OID:   pgtype.TimestamptzOID,
		Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC},
	})
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping PostgreSQL: %w", err)
	}
	return nil
}

// Close closes the connection pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// querier runs statements on a pool or inside a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// inTx runs fn in a transaction, committed when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

// notFound turns pgx.ErrNoRows into store.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}
