// Command databasesql shows the hookrelay library on an application that
// reaches its database through database/sql: PostgreSQL with the pgx/stdlib
// driver (lib/pq works the same), or an embedded SQLite file with the
// pure-Go modernc.org/sqlite driver. In one *sql.Tx, the same code on
// either creates a customer's endpoint, an order, and the order's event;
// the event exists, and is delivered, if and only if the transaction
// commits.
//
// On PostgreSQL, hookrelay's workers need a connection of their own (they
// LISTEN for new deliveries, which database/sql cannot): NewPostgresSQL
// opens a small pgx pool from the same URL and closes it with the client.
// On SQLite, workers see what a transaction wrote at their next poll.
//
//	DATABASE_URL=postgres://... go run ./examples/databasesql
//	DATABASE_URL=orders.db go run ./examples/databasesql   # a SQLite file, created when missing
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
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // the "sqlite" database/sql driver

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/examples/internal/inbox"
)

func main() {
	if err := run(context.Background(), os.Getenv("DATABASE_URL"), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run places an order with its webhook in one transaction on the database at
// databaseURL (a postgres:// URL, or else the path of a SQLite file) and
// prints the webhook's body once it is delivered.
func run(ctx context.Context, databaseURL string, out io.Writer) (err error) {
	db, hooks, err := open(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
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
	if err := tx.QueryRowContext(ctx, `INSERT INTO databasesql_orders (total_cents) VALUES (1999) RETURNING id`).Scan(&id); err != nil {
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

// open opens the database at databaseURL with its database/sql driver,
// creates the example's table, and returns hookrelay's client on it (which
// migrates hookrelay's tables). Either way the client's transaction type is
// *sql.Tx: a pgx.Tx does not compile.
func open(ctx context.Context, databaseURL string) (*sql.DB, *hookrelay.Client[*sql.Tx], error) {
	postgres := strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://")
	driver, dsn, orders := "pgx", databaseURL, `CREATE TABLE IF NOT EXISTS databasesql_orders (id bigserial PRIMARY KEY, total_cents bigint NOT NULL)`
	if !postgres {
		if databaseURL == "" {
			return nil, nil, errors.New("DATABASE_URL: a postgres:// URL or the path of a SQLite file is required")
		}
		// SQLiteDSN adds the settings hookrelay needs (WAL, a busy timeout,
		// foreign keys, transactions that take the write lock).
		driver, dsn, orders = "sqlite", hookrelay.SQLiteDSN(databaseURL), `CREATE TABLE IF NOT EXISTS databasesql_orders (id INTEGER PRIMARY KEY, total_cents INTEGER NOT NULL)`
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, nil, err
	}
	if _, err := db.ExecContext(ctx, orders); err != nil {
		return nil, nil, errors.Join(err, db.Close())
	}
	var hooks *hookrelay.Client[*sql.Tx]
	if postgres {
		hooks, err = hookrelay.NewPostgresSQL(ctx, db, databaseURL, hookrelay.WithAllowPrivateTargets())
	} else {
		hooks, err = hookrelay.NewSQLite(ctx, db, hookrelay.WithAllowPrivateTargets())
	}
	if err != nil {
		return nil, nil, errors.Join(err, db.Close())
	}
	return db, hooks, nil
}
