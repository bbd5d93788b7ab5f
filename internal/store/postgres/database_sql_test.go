package postgres_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/postgres"
	"github.com/hookrelay/hookrelay/internal/store/storetest"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestStoreOnDatabaseSQL runs the store suite with every endpoint write and
// read and every publish (the methods that TxStore runs in an application's
// transaction) in a database/sql transaction of each driver, committed
// after the call: the SQL written for pgx binds and scans alike there.
func TestStoreOnDatabaseSQL(t *testing.T) {
	for _, driver := range testdb.SQLDrivers {
		t.Run(driver, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) store.Store {
				u := testdb.PostgresURL(t)
				return foreignRows{sqlTxStore{migrated(t, u), testdb.OpenSQL(t, driver, u)}, u}
			})
		})
	}
}

// sqlTxStore is a Store whose TxStore methods run each in a database/sql
// transaction of its own on db.
type sqlTxStore struct {
	*postgres.Store
	db *sql.DB
}

// inTx runs fn on the store seen from a new transaction of db, committed
// when fn returns nil.
func inSQLTx[T any](ctx context.Context, s sqlTxStore, fn func(ts *postgres.TxStore) (T, error)) (T, error) {
	var zero T
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return zero, err
	}
	v, err := fn(s.InSQLTx(tx))
	if err != nil {
		return zero, errors.Join(err, tx.Rollback())
	}
	return v, tx.Commit()
}

func (s sqlTxStore) CreateEndpoint(ctx context.Context, e store.Endpoint) (store.Endpoint, error) {
	return inSQLTx(ctx, s, func(ts *postgres.TxStore) (store.Endpoint, error) { return ts.CreateEndpoint(ctx, e) })
}

func (s sqlTxStore) GetEndpoint(ctx context.Context, id int64) (store.Endpoint, error) {
	return inSQLTx(ctx, s, func(ts *postgres.TxStore) (store.Endpoint, error) { return ts.GetEndpoint(ctx, id) })
}

func (s sqlTxStore) UpdateEndpoint(ctx context.Context, id int64, p store.EndpointPatch) (store.Endpoint, error) {
	return inSQLTx(ctx, s, func(ts *postgres.TxStore) (store.Endpoint, error) { return ts.UpdateEndpoint(ctx, id, p) })
}

func (s sqlTxStore) NewChallenge(ctx context.Context, id int64, eventID string) (store.Endpoint, error) {
	return inSQLTx(ctx, s, func(ts *postgres.TxStore) (store.Endpoint, error) { return ts.NewChallenge(ctx, id, eventID) })
}

func (s sqlTxStore) DeleteEndpoint(ctx context.Context, id int64) error {
	_, err := inSQLTx(ctx, s, func(ts *postgres.TxStore) (struct{}, error) { return struct{}{}, ts.DeleteEndpoint(ctx, id) })
	return err
}

func (s sqlTxStore) Publish(ctx context.Context, ev store.Event, opts store.PublishOptions) (store.PublishResult, error) {
	return inSQLTx(ctx, s, func(ts *postgres.TxStore) (store.PublishResult, error) { return ts.Publish(ctx, ev, opts) })
}

func (s sqlTxStore) PublishMany(ctx context.Context, pubs []store.Publication) ([]store.PublicationResult, error) {
	return inSQLTx(ctx, s, func(ts *postgres.TxStore) ([]store.PublicationResult, error) { return ts.PublishMany(ctx, pubs) })
}

// TestSQLArraysRoundTrip: text arrays with quotes, backslashes, commas,
// braces, spaces, NULL-like and empty elements bind and scan back the same
// on each database/sql driver, through an endpoint's events.
func TestSQLArraysRoundTrip(t *testing.T) {
	events := []string{`a"b`, `c\d`, "e,f", "{g}", "h i", "NULL", "", "é"}
	for _, driver := range testdb.SQLDrivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			u := testdb.PostgresURL(t)
			s := sqlTxStore{migrated(t, u), testdb.OpenSQL(t, driver, u)}
			for i, evs := range [][]string{events, {}, {"only"}} {
				created, err := s.CreateEndpoint(t.Context(), store.Endpoint{
					URL: fmt.Sprintf("https://example.com/%d", i), Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", Events: evs, Active: true,
					Headers: map[string]string{"X-A": `"quoted" \ value`},
				})
				if err != nil {
					t.Fatal(err)
				}
				got, err := s.Store.GetEndpoint(t.Context(), created.ID) // through pgx
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(created.Events, evs) || !slices.Equal(got.Events, evs) || got.Headers["X-A"] != created.Headers["X-A"] {
					t.Errorf("events %q: database/sql read %q, pgx read %q (headers %q, %q)", evs, created.Events, got.Events, created.Headers, got.Headers)
				}
				if !created.CreatedAt.Equal(got.CreatedAt) || created.CreatedAt.Location() != got.CreatedAt.Location() {
					t.Errorf("created at %v through database/sql, %v through pgx; want the same instant, in UTC", created.CreatedAt, got.CreatedAt)
				}
			}
		})
	}
}
