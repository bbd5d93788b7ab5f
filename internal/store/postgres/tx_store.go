package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hookrelay/hookrelay/internal/store"
)

// TxStore is the store seen from inside a transaction of the application's
// (a pgx.Tx, or a *sql.Tx of any database/sql driver on the same database):
// the endpoint writes and reads and the publishes that the library offers in
// the caller's transaction run in it, on the same SQL as the pool's; they
// are visible to workers, and to other transactions, once it commits.
//
// Only CreateEndpoint, GetEndpoint, UpdateEndpoint, NewChallenge,
// DeleteEndpoint, Publish and PublishMany run in the transaction, without a
// savepoint of their own (Savepoint gives one to a group of them); every
// other method is the pool's Store, outside the transaction. Workers are
// woken by the transaction's NOTIFY, which PostgreSQL delivers on commit.
type TxStore struct {
	*Store
	q querier
}

// InTx returns the store seen from inside tx, a transaction of pgx on the
// store's database.
func (s *Store) InTx(tx pgx.Tx) *TxStore {
	return &TxStore{Store: s, q: tx}
}

// InSQLTx returns the store seen from inside tx, a database/sql transaction
// on the store's database through any PostgreSQL driver (pgx/stdlib,
// lib/pq): see sqlQuerier for how their parameters and results are bridged.
func (s *Store) InSQLTx(tx *sql.Tx) *TxStore {
	return &TxStore{Store: s, q: sqlQuerier{tx: tx}}
}

// Savepoint runs fn in a savepoint of the transaction: when fn fails, what
// it wrote is rolled back and the transaction stays usable.
func (t *TxStore) Savepoint(ctx context.Context, fn func() error) error {
	return inSavepoint(ctx, t.q, fn)
}

// inSavepoint runs fn in a savepoint of q's transaction, rolled back to when
// fn fails and released in any case. The rollback and the release run even
// when ctx ended during fn (store.UndoContext): a cancelled caller must not
// leave half of fn's writes in its transaction, to commit with it. When they
// fail, or when the transaction was aborted before (SQLSTATE 25P02), the
// error matches store.ErrTxAborted.
func inSavepoint(ctx context.Context, q querier, fn func() error) error {
	if _, err := q.Exec(ctx, `SAVEPOINT hookrelay`); err != nil {
		if aborted(err) {
			return fmt.Errorf("the transaction is aborted by an earlier failed statement: %w", store.ErrTxAborted)
		}
		return fmt.Errorf("savepoint: %w", err)
	}
	err := fn()
	undoCtx, cancel := store.UndoContext(ctx)
	defer cancel()
	if err != nil {
		if _, rbErr := q.Exec(undoCtx, `ROLLBACK TO SAVEPOINT hookrelay`); rbErr != nil {
			return errors.Join(err, fmt.Errorf("roll back to savepoint: %w: %w", rbErr, store.ErrTxAborted))
		}
	}
	if _, relErr := q.Exec(undoCtx, `RELEASE SAVEPOINT hookrelay`); relErr != nil {
		return errors.Join(err, fmt.Errorf("release savepoint: %w: %w", relErr, store.ErrTxAborted))
	}
	return err
}

// CreateEndpoint is Store.CreateEndpoint in the transaction.
func (t *TxStore) CreateEndpoint(ctx context.Context, e store.Endpoint) (store.Endpoint, error) {
	format, err := t.tenantFormatIn(ctx, t.q)
	if err != nil {
		return store.Endpoint{}, fmt.Errorf("create endpoint: %w", err)
	}
	return createEndpoint(ctx, t.q, e, format)
}

// GetEndpoint is Store.GetEndpoint in the transaction: it sees the
// transaction's own writes.
func (t *TxStore) GetEndpoint(ctx context.Context, id int64) (store.Endpoint, error) {
	return getEndpoint(ctx, t.q, id)
}

// UpdateEndpoint is Store.UpdateEndpoint in the transaction.
func (t *TxStore) UpdateEndpoint(ctx context.Context, id int64, p store.EndpointPatch) (store.Endpoint, error) {
	e, err := updateEndpoint(ctx, t.q, id, p)
	if err != nil {
		return store.Endpoint{}, fmt.Errorf("update endpoint %d: %w", id, err)
	}
	return e, nil
}

// NewChallenge is Store.NewChallenge in the transaction.
func (t *TxStore) NewChallenge(ctx context.Context, id int64, eventID string) (store.Endpoint, error) {
	return newChallenge(ctx, t.q, id, eventID)
}

// DeleteEndpoint is Store.DeleteEndpoint in the transaction.
func (t *TxStore) DeleteEndpoint(ctx context.Context, id int64) error {
	return deleteEndpoint(ctx, t.q, id)
}

// Publish is PublishTx in the transaction, without its savepoint.
func (t *TxStore) Publish(ctx context.Context, ev store.Event, opts store.PublishOptions) (store.PublishResult, error) {
	format, err := t.tenantFormatIn(ctx, t.q)
	if err != nil {
		return store.PublishResult{}, fmt.Errorf("publish event: %w", err)
	}
	return publishEvent(ctx, t.q, ev, opts, format)
}

// PublishMany publishes pubs in the transaction, each as Publish would, and
// returns one result per publication, in order: an event that
// store.Event.Normalize refuses gets its error in its result, and nothing is
// written for it. Any other error fails the call (roll back to a savepoint).
// The ordering keys of the events lock as in PublishTx, all at once, in
// sorted order. At most store.MaxPublishMany publications.
func (t *TxStore) PublishMany(ctx context.Context, pubs []store.Publication) ([]store.PublicationResult, error) {
	format, err := t.tenantFormatIn(ctx, t.q)
	if err != nil {
		return nil, fmt.Errorf("publish events: %w", err)
	}
	results, err := publishMany(ctx, t.q, pubs, format)
	if err != nil {
		return nil, fmt.Errorf("publish events: %w", err)
	}
	return results, nil
}

// aborted reports whether err is PostgreSQL's refusal of a statement in a
// transaction that an earlier failed statement aborted (SQLSTATE 25P02), as
// pgx or lib/pq report it.
func aborted(err error) bool {
	var pg interface{ SQLState() string }
	return errors.As(err, &pg) && pg.SQLState() == "25P02"
}
