package testdb

import (
	"database/sql"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "github.com/lib/pq"              // the "postgres" database/sql driver
)

// SQLDrivers are the database/sql drivers of PostgreSQL that hookrelay is
// tested on (hookrelay.NewPostgresSQL, the store's TxStore): pgx/stdlib
// ("pgx") and lib/pq ("postgres").
var SQLDrivers = []string{"pgx", "postgres"}

// OpenSQL opens a database/sql handle of driver (one of SQLDrivers) on
// databaseURL (a PostgresURL), closed when t ends.
func OpenSQL(t testing.TB, driver, databaseURL string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, databaseURL)
	if err != nil {
		t.Fatalf("open %s: %v", driver, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
