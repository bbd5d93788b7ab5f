package postgres

import "github.com/jackc/pgx/v5/pgxpool"

// New returns a store on pool, a pool that the caller opened, so that an
// application and hookrelay share one pool and the application can publish
// in its own transactions with PublishTx. New does not migrate.
//
// The pool stays the caller's: Close closes it, so a caller that keeps using
// pool must not close the store. Open's pools scan times in UTC; a pool of
// the caller's scans them in its own location, so the times the store returns
// are the same instants but not necessarily in UTC.
func New(pool *pgxpool.Pool) *Store {
	return newStore(pool)
}
