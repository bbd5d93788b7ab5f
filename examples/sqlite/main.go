// Command sqlite shows the hookrelay library on an application that keeps
// its data in an embedded SQLite file (database/sql with the pure-Go
// modernc.org/sqlite driver, no server): in one *sql.Tx, it creates a
// customer's endpoint, an order, and the order's event; the event exists,
// and is delivered, if and only if the transaction commits. The workers run
// in the same process and deliver it to a receiver that verifies the
// signature.
//
//	DATABASE_URL=orders.db go run ./examples/sqlite
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/examples/internal/inbox"
)

func main() {
	if err := run(context.Background(), os.Getenv("DATABASE_URL"), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run places an order with its webhook in one transaction on the SQLite
// file at path (created when missing) and prints the webhook's body once it
// is delivered.
func run(ctx context.Context, path string, out io.Writer) (err error) {
	if path == "" {
		return fmt.Errorf("DATABASE_URL: the path of a SQLite file is required")
	}
	// SQLiteDSN adds the settings hookrelay needs (WAL, a busy timeout, …).
	db, err := sql.Open("sqlite", hookrelay.SQLiteDSN(path))
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS embedded_orders (id INTEGER PRIMARY KEY, total_cents INTEGER NOT NULL)`); err != nil {
		return err
	}

	// The client's transaction type is *sql.Tx, on this db. Workers see what
	// a transaction wrote at their next poll (Config.PollInterval).
	hooks, err := hookrelay.NewSQLite(ctx, db, hookrelay.WithAllowPrivateTargets()) // migrates hookrelay's tables
	if err != nil {
		return err
	}
	defer hooks.Close()
	receiver, err := inbox.Start()
	if err != nil {
		return err
	}
	defer receiver.Close()
	if err := hooks.Start(ctx); err != nil {
		return err
	}

	endpointID, err := placeOrder(ctx, db, hooks, receiver)
	if err != nil {
		return fmt.Errorf("place order: %w", err)
	}
	// The receiver lives as long as this process: its endpoint goes with it,
	// so that no later run retries deliveries to it.
	defer func() {
		if derr := hooks.DeleteEndpoint(context.WithoutCancel(ctx), endpointID); derr != nil {
			err = errors.Join(err, fmt.Errorf("delete the example's endpoint: %w", derr))
		}
	}()
	return receiver.PrintNext(ctx, out)
}

// placeOrder writes the endpoint, the order and its event in one
// transaction: all of them, or none. It returns the endpoint's ID.
func placeOrder(ctx context.Context, db *sql.DB, hooks *hookrelay.Client[*sql.Tx], receiver *inbox.Inbox) (int64, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback() // after Commit, does nothing

	endpoint, err := hooks.CreateEndpointTx(ctx, tx, hookrelay.Endpoint{URL: receiver.URL, Secret: receiver.Secret, Events: []string{"order.*"}})
	if err != nil {
		return 0, err
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO embedded_orders (total_cents) VALUES (?) RETURNING id`, 1999).Scan(&id); err != nil {
		return 0, err
	}
	data, err := json.Marshal(map[string]any{"order_id": id, "total_cents": 1999})
	if err != nil {
		return 0, err
	}
	if _, err := hooks.Publish(ctx, tx, hookrelay.Event{Type: "order.created", Data: data}); err != nil {
		return 0, err
	}
	return endpoint.ID, tx.Commit()
}
