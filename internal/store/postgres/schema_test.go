package postgres_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/hookrelay/hookrelay/internal/store/postgres"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

func TestCreateSchemaAndDrop(t *testing.T) {
	ctx := context.Background()
	base := os.Getenv(testdb.PostgresURLEnv)
	if base == "" {
		base = testdb.DefaultPostgresURL
	}
	schemaURL, drop, err := postgres.CreateSchema(ctx, base, "schematest_")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, schemaURL)
	if err != nil {
		t.Fatal(err)
	}
	var schema string
	err = conn.QueryRow(ctx, "SELECT current_schema()").Scan(&schema)
	conn.Close(ctx)
	if err != nil || !strings.HasPrefix(schema, "schematest_") {
		t.Fatalf("current_schema = %q, %v; want the new schema", schema, err)
	}
	if err := drop(ctx); err != nil {
		t.Fatal(err)
	}
	conn, err = pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var left int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", schema).Scan(&left); err != nil || left != 0 {
		t.Fatalf("schema %s still there after drop (%d, %v)", schema, left, err)
	}
	if _, _, err := postgres.CreateSchema(ctx, "postgres://postgres:x@127.0.0.1:1/db?connect_timeout=1", "x_"); err == nil {
		t.Fatal("CreateSchema on a server that does not answer succeeded")
	}
}
