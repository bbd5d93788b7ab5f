package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/hookrelay/hookrelay/internal/store"
)

// TxStore is the store seen from inside a transaction of the application's
// on the store's database file (a *sql.Tx of a database opened with DSN):
// the endpoint writes and reads and the publishes that the library offers in
// the caller's transaction run in it, on the same SQL as the store's own
// transactions; they are visible to workers once it commits, at their next
// poll.
//
// Only CreateEndpoint, GetEndpoint, UpdateEndpoint, NewChallenge,
// DeleteEndpoint, Publish and PublishMany run in the transaction, without a
// savepoint of their own (Savepoint gives one to a group of them); every
// other method is the Store's, outside the transaction. A disable or delete
// in the transaction is not announced on Deactivations (the transaction may
// roll back): workers stop sending to the endpoint from their next claim.
type TxStore struct {
	*Store
	tx *sql.Tx
}

// InTx returns the store seen from inside tx.
func (s *Store) InTx(tx *sql.Tx) *TxStore {
	return &TxStore{Store: s, tx: tx}
}

// Savepoint runs fn in a savepoint of the transaction: when fn fails, what
// it wrote is rolled back and the transaction stays usable.
//
// A transaction that SQLite has already rolled back by itself (an earlier
// statement of the caller's was interrupted, or failed with SQLITE_FULL,
// SQLITE_IOERR, …) is refused with store.ErrTxAborted: there the savepoint
// would begin a transaction of its own, and its release commit fn's writes
// outside the caller's transaction.
func (t *TxStore) Savepoint(ctx context.Context, fn func() error) error {
	if err := stillOpen(ctx, t.tx); err != nil {
		return err
	}
	return inSavepoint(ctx, t.tx, fn)
}

// stillOpen checks that SQLite still has tx's transaction open: a BEGIN in
// it must be refused. One that succeeds began a transaction that tx did not
// know of, which is rolled back.
func stillOpen(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `BEGIN`)
	if err == nil {
		undoCtx, cancel := store.UndoContext(ctx)
		defer cancel()
		_, rbErr := tx.ExecContext(undoCtx, `ROLLBACK`)
		return errors.Join(fmt.Errorf("SQLite has already rolled the transaction back (an earlier statement was interrupted or failed): %w", store.ErrTxAborted), rbErr)
	}
	if strings.Contains(err.Error(), "within a transaction") {
		return nil
	}
	return fmt.Errorf("check the transaction: %w", err)
}

// CreateEndpoint is Store.CreateEndpoint in the transaction.
func (t *TxStore) CreateEndpoint(ctx context.Context, e store.Endpoint) (store.Endpoint, error) {
	created, err := createEndpoint(ctx, t.tx, e)
	if err != nil {
		return store.Endpoint{}, fmt.Errorf("create endpoint: %w", err)
	}
	return created, nil
}

// GetEndpoint is Store.GetEndpoint in the transaction: it sees the
// transaction's own writes.
func (t *TxStore) GetEndpoint(ctx context.Context, id int64) (store.Endpoint, error) {
	return getEndpoint(ctx, t.tx, id)
}

// UpdateEndpoint is Store.UpdateEndpoint in the transaction.
func (t *TxStore) UpdateEndpoint(ctx context.Context, id int64, p store.EndpointPatch) (store.Endpoint, error) {
	updated, err := updateEndpoint(ctx, t.tx, id, p)
	if err != nil {
		return store.Endpoint{}, fmt.Errorf("update endpoint %d: %w", id, err)
	}
	return updated, nil
}

// NewChallenge is Store.NewChallenge in the transaction.
func (t *TxStore) NewChallenge(ctx context.Context, id int64, eventID string) (store.Endpoint, error) {
	e, err := newChallenge(ctx, t.tx, id, eventID)
	if err != nil {
		return store.Endpoint{}, fmt.Errorf("new challenge for endpoint %d: %w", id, err)
	}
	return e, nil
}

// DeleteEndpoint is Store.DeleteEndpoint in the transaction.
func (t *TxStore) DeleteEndpoint(ctx context.Context, id int64) error {
	if err := deleteEndpoint(ctx, t.tx, id); err != nil {
		return fmt.Errorf("delete endpoint %d: %w", id, err)
	}
	return nil
}

// Publish is PublishTx in the transaction, without its savepoint.
func (t *TxStore) Publish(ctx context.Context, ev store.Event, opts store.PublishOptions) (store.PublishResult, error) {
	return publish(ctx, t.tx, ev, opts)
}

// PublishMany publishes pubs in the transaction, each as Publish would, and
// returns one result per publication, in order: an event that
// store.Event.Normalize refuses gets its error in its result, and nothing is
// written for it. Any other error fails the call (roll back to a savepoint).
// At most store.MaxPublishMany publications.
func (t *TxStore) PublishMany(ctx context.Context, pubs []store.Publication) ([]store.PublicationResult, error) {
	return publishMany(ctx, t.tx, pubs)
}
