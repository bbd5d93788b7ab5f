package sqlite

import "database/sql"

// DSN returns the data source name of the "sqlite" driver that opens the
// database file at path as Open does: WAL, synchronous=FULL, foreign keys, a
// busy timeout, and transactions that take the write lock at BEGIN
// (_txlock=immediate), which PublishTx wants. An application that shares its
// database with hookrelay opens it with sql.Open("sqlite", DSN(path)).
func DSN(path string) string {
	return dsn(path, false)
}

// New returns a store on db, the caller's handle of a database opened with
// DSN, so that the application and hookrelay share one handle and the
// application can publish in its own transactions with PublishTx. Reads and
// writes go through db; its writers, of the application's or the store's,
// take turns on the write lock, waiting for it up to the busy timeout. New
// does not migrate.
//
// The handle stays the caller's: Close closes it, so a caller that keeps
// using db must not close the store.
func New(db *sql.DB) *Store {
	return newStore(db, db)
}
