// Package main holds the programs of TestTransactionTypeIsCheckedAtCompileTime:
// right.go passes each client the transaction of its driver and compiles;
// wrong.go (build tag "wrong") passes clients transactions of another driver
// and must fail on every line marked "want", and only there.
package main

import (
	"context"
	"database/sql"

	"github.com/jackc/pgx/v5"

	"github.com/hookrelay/hookrelay"
)

var (
	ctx        = context.Background()
	pgxClient  *hookrelay.Client[pgx.Tx]
	sqlClient  *hookrelay.Client[*sql.Tx]
	openClient *hookrelay.Client[hookrelay.NoTx]
	pgxTx      pgx.Tx
	sqlTx      *sql.Tx
)
