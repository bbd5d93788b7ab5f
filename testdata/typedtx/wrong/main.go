// Command wrong passes clients a transaction of another driver: each call
// marked "want" must not compile (TestTransactionTypeIsCheckedAtCompileTime).
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
		pgxClient  *hookrelay.Client[pgx.Tx]
		sqlClient  *hookrelay.Client[*sql.Tx]
		openClient *hookrelay.Client[hookrelay.NoTx]
		pgxTx      pgx.Tx
		sqlTx      *sql.Tx
	)
	_, _ = sqlClient.Publish(ctx, pgxTx, hookrelay.Event{})              // want "cannot use pgxTx"
	_, _ = pgxClient.PublishMany(ctx, sqlTx, nil)                        // want "cannot use sqlTx"
	_, _ = openClient.CreateEndpointTx(ctx, sqlTx, hookrelay.Endpoint{}) // want "cannot use sqlTx"
	_, _ = sqlClient.Publish(ctx, "tx", hookrelay.Event{})               // want "cannot use \"tx\""
	_, _ = openClient.Publish(ctx, struct{}{}, hookrelay.Event{})        // want "cannot use struct{}{}"
}
