// Package hookrelay embeds hookrelay in a Go application: publish webhook
// events in the application's own database transaction, manage endpoints,
// and, if the application likes, run the delivery workers in its process.
//
// An application that writes a row and then publishes an event about it
// loses the event if the process dies between the two, and sends a false
// one if the write rolls back. Publish writes the event and its deliveries in
// the application's transaction instead (the outbox pattern): the event
// exists if and only if that transaction commits. Workers, in this process
// or in `hookrelay serve` on the same database, then deliver it: signed with
// HMAC-SHA256 (X-Signature and Standard Webhooks headers), retried with
// exponential backoff and jitter, recorded attempt by attempt.
//
// # The whole flow
//
//	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
//	...
//	hooks, err := hookrelay.NewPostgres(ctx, pool) // creates hookrelay's tables
//	...
//	// Once, from an admin screen: who receives what.
//	ep, err := hooks.CreateEndpoint(ctx, hookrelay.Endpoint{
//		URL:    "https://receiver.example/hooks",
//		Events: []string{"document.*"},
//	})
//	// ep.Secret (whsec_...) is what the receiver verifies signatures with.
//
//	// Deliver in this process until ctx ends.
//	go hooks.Run(ctx)
//
//	// Each write publishes in its own transaction.
//	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
//		if _, err := tx.Exec(ctx, `INSERT INTO documents (id, title) VALUES ($1, $2)`, id, title); err != nil {
//			return err
//		}
//		_, err := hooks.Publish(ctx, tx, hookrelay.Event{
//			Type: "document.created",
//			Data: json.RawMessage(`{"document_id":"` + id + `"}`),
//		})
//		return err
//	})
//
// # Drivers and transaction types
//
// Client is generic over the type of the application's transactions that it
// writes in, so that a transaction of the wrong kind does not compile:
//
//   - NewPostgres(ctx, pool): pgx; Client[pgx.Tx].
//   - NewPostgresSQL(ctx, db, databaseURL): database/sql on PostgreSQL with
//     any driver (pgx/stdlib, lib/pq, and what sits on them: sqlc, GORM, ent,
//     bun); Client[*sql.Tx]. hookrelay's workers use a pgx pool of their own,
//     opened from databaseURL.
//   - NewSQLite(ctx, db): SQLite, db opened with SQLiteDSN; Client[*sql.Tx].
//   - Open(ctx, url, cfg): a database of the client's own, named by URL as
//     `hookrelay serve` names it; Client[NoTx], which writes in no
//     transaction of the application's.
//
// In the application's transaction run Publish, PublishMany and the endpoint
// changes CreateEndpointTx, UpdateEndpointTx, DisableEndpointTx,
// EnableEndpointTx and DeleteEndpointTx, each in a savepoint, so that a
// refused one leaves the transaction usable. The other methods (RotateSecret,
// PingEndpoint, VerifyEndpoint, the reads, the workers' retries and every
// delivery) run in transactions of hookrelay's own.
//
// # Settings
//
// Every setting is a field of Config, whose zero value means its default
// (the Default… constants); a setting that can be turned off says so with
// NoRetries, Never, Forever or NoWait. WithConfig gives a whole Config; the
// other options set one or two of its fields.
//
// # Guarantees
//
// Delivery is at-least-once: receivers de-duplicate by the event ID
// (X-Event-Id, webhook-id). Publishing an event ID that exists writes nothing
// and reports Created false, so an application may retry a publish with the
// same ID. The settings are those of `hookrelay serve`, with the same
// defaults; an application and the service may share one database.
package hookrelay
