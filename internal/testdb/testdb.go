// Package testdb gives each test a database of its own: a fresh schema in the
// test PostgreSQL server, or a fresh SQLite file path, removed when the test
// ends.
package testdb

import (
	"context"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hookrelay/hookrelay/internal/store/postgres"
)

// DefaultPostgresURL is the test server used when HOOKRELAY_TEST_POSTGRES_URL
// is not set.
const DefaultPostgresURL = "postgres://postgres:postgres@localhost:5432/postgres?sslmode=disable"

// PostgresURLEnv names the environment variable that points the tests at a
// PostgreSQL server.
const PostgresURLEnv = "HOOKRELAY_TEST_POSTGRES_URL"

// PostgresURL creates a schema of its own for t in the test PostgreSQL server
// and returns a URL whose connections use it (search_path), so that tests
// running in parallel never see each other's tables. The schema is dropped,
// with everything in it, when t ends. When the server does not answer, t
// fails with a message saying how to start one: PostgreSQL tests never skip.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresURLEnv)
	if base == "" {
		base = DefaultPostgresURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	schemaURL, drop, err := postgres.CreateSchema(ctx, base, "test_")
	if err != nil {
		t.Fatalf("PostgreSQL for tests does not answer (%s=%q): %v\n"+
			"Start one, e.g. `pg_ctlcluster 15 main start`, or run scripts/test as root, "+
			"which installs and starts it; or point %s at a server.",
			PostgresURLEnv, redact(base), err, PostgresURLEnv)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := drop(ctx); err != nil {
			t.Errorf("drop test schema: %v", err)
		}
	})
	return schemaURL
}

// SQLitePath returns the path of a SQLite file, not yet created, in a
// directory that is removed when t ends.
func SQLitePath(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "hookrelay.db")
}

// redact hides the password of a connection URL.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// UnreachablePostgres returns a PostgreSQL store whose server does not
// answer (a loopback port that nothing listens on), for tests of what
// happens while the database is down. It is closed when t ends.
func UnreachablePostgres(t testing.TB) *postgres.Store {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	pool, err := pgxpool.New(context.Background(), "postgres://postgres:postgres@"+closed+"/postgres?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return postgres.New(pool)
}

// Connect opens a connection of the test's own to the database or schema at
// databaseURL (a PostgresURL), closed when t ends, for the statements a test
// runs beside the store.
func Connect(t testing.TB, databaseURL string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), databaseURL)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}
