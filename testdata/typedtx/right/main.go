// Command right passes each client the transaction of its driver: it
// compiles (TestTransactionTypeIsCheckedAtCompileTime).
package main

import (
	"context"
	"database/sql"

	"github.com/jackc/pgx/v5"

	"github.com/hookrelay/hookrelay"
)

func main() {
	ctx := context.Background()
	var (
		pgxClient *hookrelay.Client[pgx.Tx]
		sqlClient *hookrelay.Client[*sql.Tx]
		pgxTx     pgx.Tx
		sqlTx     *sql.Tx
	)
	_, _ = pgxClient.Publish(ctx, pgxTx, hookrelay.Event{})
	_, _ = sqlClient.PublishMany(ctx, sqlTx, nil)
	_, _ = sqlClient.CreateEndpointTx(ctx, sqlTx, hookrelay.Endpoint{})
}
