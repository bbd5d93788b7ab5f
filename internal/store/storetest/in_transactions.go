package storetest

import (
	"context"
	"errors"

	"github.com/hookrelay/hookrelay/internal/store"
)

// InTransactions is a store whose endpoint writes and reads and publishes
// (the methods that a store's TxStore runs in an application's transaction)
// each run in a transaction of their own through Begin, committed after the
// call and rolled back when it fails; its other methods are Store's. Run on
// it, the suite proves that the TxStore of a store, on the driver that Begin
// uses, behaves as the store does.
type InTransactions struct {
	store.Store
	// Begin opens a transaction and returns the store seen from inside it
	// (a TxStore), and what commits and what rolls back the transaction.
	Begin func(ctx context.Context) (view store.Store, commit, rollback func() error, err error)
}

// inTx runs call on the store seen from a new transaction, committed when
// call returns nil and rolled back otherwise.
func inTx[T any](ctx context.Context, s InTransactions, call func(view store.Store) (T, error)) (T, error) {
	var zero T
	view, commit, rollback, err := s.Begin(ctx)
	if err != nil {
		return zero, err
	}
	v, err := call(view)
	if err != nil {
		return zero, errors.Join(err, rollback())
	}
	return v, commit()
}

// CreateEndpoint creates e in a transaction of its own.
func (s InTransactions) CreateEndpoint(ctx context.Context, e store.Endpoint) (store.Endpoint, error) {
	return inTx(ctx, s, func(v store.Store) (store.Endpoint, error) { return v.CreateEndpoint(ctx, e) })
}

// GetEndpoint reads endpoint id in a transaction of its own.
func (s InTransactions) GetEndpoint(ctx context.Context, id int64) (store.Endpoint, error) {
	return inTx(ctx, s, func(v store.Store) (store.Endpoint, error) { return v.GetEndpoint(ctx, id) })
}

// UpdateEndpoint patches endpoint id in a transaction of its own.
func (s InTransactions) UpdateEndpoint(ctx context.Context, id int64, p store.EndpointPatch) (store.Endpoint, error) {
	return inTx(ctx, s, func(v store.Store) (store.Endpoint, error) { return v.UpdateEndpoint(ctx, id, p) })
}

// NewChallenge starts a challenge in a transaction of its own.
func (s InTransactions) NewChallenge(ctx context.Context, id int64, eventID string) (store.Endpoint, error) {
	return inTx(ctx, s, func(v store.Store) (store.Endpoint, error) { return v.NewChallenge(ctx, id, eventID) })
}

// DeleteEndpoint deletes endpoint id in a transaction of its own.
func (s InTransactions) DeleteEndpoint(ctx context.Context, id int64) error {
	_, err := inTx(ctx, s, func(v store.Store) (struct{}, error) { return struct{}{}, v.DeleteEndpoint(ctx, id) })
	return err
}

// Publish publishes ev in a transaction of its own.
func (s InTransactions) Publish(ctx context.Context, ev store.Event, opts store.PublishOptions) (store.PublishResult, error) {
	return inTx(ctx, s, func(v store.Store) (store.PublishResult, error) { return v.Publish(ctx, ev, opts) })
}

// PublishMany publishes pubs in a transaction of their own.
func (s InTransactions) PublishMany(ctx context.Context, pubs []store.Publication) ([]store.PublicationResult, error) {
	return inTx(ctx, s, func(v store.Store) ([]store.PublicationResult, error) { return v.PublishMany(ctx, pubs) })
}
