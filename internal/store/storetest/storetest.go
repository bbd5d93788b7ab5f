// Package storetest is the conformance suite of store.Store: one set of
// behaviour tests that every implementation runs, so that PostgreSQL and
// SQLite behave the same.
//
// An implementation's test calls Run with a factory that returns a fresh,
// migrated store of its own for each test. The suite compares what the
// stores may represent differently in a tolerant way: nil and empty maps and
// slices are equal, JSON is compared by value (not by bytes), and times are
// compared as instants within a millisecond. Every time a store returns must
// be in UTC, and times the suite writes are whole seconds so that they read
// back exactly.
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// ForeignWriter writes rows as another program sharing the database does:
// Ackify CE's Enqueue inserts a delivery row alone, with no event record. The
// store that a Run factory returns must implement it (a test-side wrapper
// that writes with the dialect's own SQL), so that the suite can prove such
// rows are delivered, and moves the rate state's clock (EndSlowDown).
type ForeignWriter interface {
	// EndSlowDown moves the end of endpoint endpointID's slow-down
	// (hookrelay_endpoint_rates.slow_until) a second into the past, as
	// store.SlowDownFor passing would, so that the suite proves what a
	// claim does after a slow-down ends without waiting a minute.
	EndSlowDown(ctx context.Context, endpointID int64) error

	// InsertForeignDelivery inserts a pending, due delivery of an event with
	// the given id, type and JSON payload to endpoint endpointID, created at
	// createdAt, into the deliveries table only.
	InsertForeignDelivery(ctx context.Context, endpointID int64, eventID, eventType, payload string, createdAt time.Time) error
}

// test is one behaviour of the suite.
type test struct {
	name string
	run  func(t *testing.T, f *fixture)
}

// Run runs the whole suite, each test in parallel with a store of its own
// from newStore, which must return a migrated store and close it when its
// test ends (t.Cleanup).
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	groups := [][]test{
		migrationTests,
		endpointTests,
		configSyncTests,
		publishTests,
		publishManyTests,
		dataTests,
		claimTests,
		orderingTests,
		rateTests,
		leaseTests,
		completeTests,
		healthTests,
		recoveryTests,
		deliveryTests,
		listTests,
		eventListTests,
		maintenanceTests,
		retentionTests,
		maintainerTests,
		deliveryCountTests,
		wakeupTests,
		deactivationTests,
		verificationTests,
		eventTypeTests,
		traceContextTests,
		tenantTests,
		portalSessionTests,
	}
	for _, group := range groups {
		for _, tc := range group {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				tc.run(t, newFixture(t, newStore(t)))
			})
		}
	}
}
