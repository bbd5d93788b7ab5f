// Command sqlc shows the hookrelay library beside sqlc-generated code
// (package db, generated from schema.sql and query.sql by sqlc v1.31.1 with
// sqlc.yaml: `sqlc generate`): the generated Queries run in the
// application's *sql.Tx through Queries.WithTx, and hookrelay publishes the
// order's event in that same transaction, so that the order and its event
// commit together or not at all.
//
//	DATABASE_URL=postgres://... go run ./examples/sqlc
package main

import (
	"context"
	"database/sql"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/examples/internal/inbox"
	"github.com/hookrelay/hookrelay/examples/sqlc/db"
)

// schema is the application's table (hookrelay creates its own).
//
//go:embed schema.sql
var schema string

func main() {
	if err := run(context.Background(), os.Getenv("DATABASE_URL"), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run creates an order through sqlc's Queries and publishes its event in
// one transaction on the database at databaseURL, and prints the webhook's
// body once it is delivered.
func run(ctx context.Context, databaseURL string, out io.Writer) (err error) {
	conn, err := sql.Open("pgx", databaseURL)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, schema); err != nil {
		return err
	}
	queries := db.New(conn)

	hooks, err := hookrelay.NewPostgresSQL(ctx, conn, databaseURL, hookrelay.WithAllowPrivateTargets())
	if err != nil {
		return err
	}
	defer hooks.Close()
	receiver, err := inbox.Start()
	if err != nil {
		return err
	}
	defer receiver.Close()
	endpoint := hookrelay.Endpoint{URL: receiver.URL, Secret: receiver.Secret, Events: []string{"order.created"}}
	endpoint, err = hooks.CreateEndpoint(ctx, endpoint)
	if err != nil {
		return err
	}
	// The receiver lives as long as this process: its endpoint goes with it,
	// so that no later run retries deliveries to it.
	defer func() {
		if derr := hooks.DeleteEndpoint(context.WithoutCancel(ctx), endpoint.ID); derr != nil {
			err = errors.Join(err, fmt.Errorf("delete the example's endpoint: %w", derr))
		}
	}()
	if err := hooks.Start(ctx); err != nil {
		return err
	}

	order, err := createOrder(ctx, conn, queries, hooks, db.CreateOrderParams{Customer: "acme", TotalCents: 1999})
	if err != nil {
		return err
	}
	if err := receiver.PrintNext(ctx, out); err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, "order:", order.ID, order.Customer)
	return err
}

// createOrder inserts the order with sqlc's Queries and publishes
// "order.created" in the same transaction.
func createOrder(ctx context.Context, conn *sql.DB, queries *db.Queries, hooks *hookrelay.Client[*sql.Tx], params db.CreateOrderParams) (db.Order, error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return db.Order{}, err
	}
	defer tx.Rollback() // after Commit, does nothing

	order, err := queries.WithTx(tx).CreateOrder(ctx, params)
	if err != nil {
		return db.Order{}, fmt.Errorf("create order: %w", err)
	}
	data, err := json.Marshal(map[string]any{"order_id": order.ID, "customer": order.Customer, "total_cents": order.TotalCents})
	if err != nil {
		return db.Order{}, err
	}
	if _, err := hooks.Publish(ctx, tx, hookrelay.Event{Type: "order.created", Data: data}); err != nil {
		return db.Order{}, fmt.Errorf("publish order.created: %w", err)
	}
	return order, tx.Commit()
}
