package postgres_test

import (
	"context"
	"database/sql"
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
				return foreignRows{inSQLTransactions(migrated(t, u), testdb.OpenSQL(t, driver, u)), u}
			})
		})
	}
}

// inSQLTransactions is st with its TxStore methods each in a database/sql
// transaction of their own on db (storetest.InTransactions).
func inSQLTransactions(st *postgres.Store, db *sql.DB) storetest.InTransactions {
	return storetest.InTransactions{Store: st, Begin: func(ctx context.Context) (store.Store, func() error, func() error, error) {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return nil, nil, nil, err
		}
		return st.InSQLTx(tx), tx.Commit, tx.Rollback, nil
	}}
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
			st := migrated(t, u)
			s := inSQLTransactions(st, testdb.OpenSQL(t, driver, u))
			for i, evs := range [][]string{events, {}, {"only"}} {
				created, err := s.CreateEndpoint(t.Context(), store.Endpoint{
					URL: fmt.Sprintf("https://example.com/%d", i), Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", Events: evs, Active: true,
					Headers: map[string]string{"X-A": `"quoted" \ value`},
				})
				if err != nil {
					t.Fatal(err)
				}
				got, err := st.GetEndpoint(t.Context(), created.ID) // through pgx
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
