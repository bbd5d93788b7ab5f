// Command pgx shows the hookrelay library on an application that uses pgx:
// in one pgx.Tx, it creates a customer's endpoint, an order, and the
// order's event; the event exists, and is delivered, if and only if the
// transaction commits. The workers run in the same process and deliver it to
// a receiver that verifies the signature.
//
//	DATABASE_URL=postgres://... go run ./examples/pgx
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/examples/internal/inbox"
)

func main() {
	if err := run(context.Background(), os.Getenv("DATABASE_URL"), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run places an order with its webhook in one transaction on the database at
// databaseURL and prints the webhook's body once it is delivered.
func run(ctx context.Context, databaseURL string, out io.Writer) (err error) {
	pool, err := pgxpool.New(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS pgx_orders (id bigserial PRIMARY KEY, total_cents bigint NOT NULL)`); err != nil {
		return err
	}

	// The client's transaction type is pgx.Tx: Publish takes nothing else.
	hooks, err := hookrelay.NewPostgres(ctx, pool, hookrelay.WithAllowPrivateTargets()) // migrates hookrelay's tables
	if err != nil {
		return err
	}
	defer hooks.Close()
	receiver, err := inbox.Start()
	if err != nil {
		return err
	}
	defer receiver.Close()
	if err := hooks.Start(ctx); err != nil { // delivery workers, in this process
		return err
	}

	var endpoint hookrelay.Endpoint
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var err error
		endpoint, err = hooks.CreateEndpointTx(ctx, tx, hookrelay.Endpoint{URL: receiver.URL, Secret: receiver.Secret, Events: []string{"order.*"}})
		if err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO pgx_orders (total_cents) VALUES ($1) RETURNING id`, 1999).Scan(&id); err != nil {
			return err
		}
		data, err := json.Marshal(map[string]any{"order_id": id, "total_cents": 1999})
		if err != nil {
			return err
		}
		_, err = hooks.Publish(ctx, tx, hookrelay.Event{Type: "order.created", Data: data})
		return err
	}) // commits: the endpoint, the order and the event, or none of them
	if err != nil {
		return fmt.Errorf("place order: %w", err)
	}
	// The receiver lives as long as this process: its endpoint goes with it,
	// so that no later run retries deliveries to it.
	defer func() {
		if derr := hooks.DeleteEndpoint(context.WithoutCancel(ctx), endpoint.ID); derr != nil {
			err = errors.Join(err, fmt.Errorf("delete the example's endpoint: %w", derr))
		}
	}()
	return receiver.PrintNext(ctx, out)
}
