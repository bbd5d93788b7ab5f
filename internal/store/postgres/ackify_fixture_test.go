package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

// ackifyTx runs fn in a transaction as Ackify's repositories do: with its
// tenant in app.tenant_id for that transaction when tenant is not empty
// (Ackify's WithTenantContext). The transaction is rolled back if fn fails.
func ackifyTx(t *testing.T, conn *pgx.Conn, tenant string, fn func(tx pgx.Tx)) {
	t.Helper()
	ctx := t.Context()
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	if tenant != "" {
		if _, err := tx.Exec(ctx, `SELECT set_config('app.tenant_id', $1, true)`, tenant); err != nil {
			t.Fatal(err)
		}
	}
	fn(tx)
	if err := tx.Commit(ctx); err != nil {
		t.Fatalf("commit: %v", err)
	}
}
