package hookrelay_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/signature"
)

// The whole flow on SQLite: the application's database, an endpoint, workers
// in the process, and a document written and announced in one transaction.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// The application's own database, opened for sharing with hookrelay.
	db, err := sql.Open("sqlite", hookrelay.SQLiteDSN(filepath.Join(dir, "app.db")))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE documents (id TEXT PRIMARY KEY, title TEXT NOT NULL)`); err != nil {
		log.Fatal(err)
	}
	hooks, err := hookrelay.NewSQLite(ctx, db,
		hookrelay.WithAllowPrivateTargets(), // the receiver below is on loopback
		hookrelay.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		log.Fatal(err)
	}

	// A receiver that checks the signature, and the endpoint that feeds it.
	secret, err := signature.GenerateSecret()
	if err != nil {
		log.Fatal(err)
	}
	received := make(chan string, 1)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if _, err := signature.Verify(r.Header, body, signature.VerifyOptions{Secrets: []string{secret}}); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var envelope struct {
			Type string
			Data json.RawMessage
		}
		if err := json.Unmarshal(body, &envelope); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		received <- envelope.Type + " " + string(envelope.Data)
	}))
	defer receiver.Close()
	_, err = hooks.CreateEndpoint(ctx, hookrelay.Endpoint{URL: receiver.URL, Secret: secret, Events: []string{"document.*"}})
	if err != nil {
		log.Fatal(err)
	}

	if err := hooks.Start(ctx); err != nil {
		log.Fatal(err)
	}
	defer hooks.Stop(ctx)

	// The write and its event commit together, or not at all.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO documents (id, title) VALUES ('doc-1', 'Policy')`); err != nil {
		log.Fatal(err)
	}
	res, err := hooks.Publish(ctx, tx, hookrelay.Event{
		Type: "document.created",
		Data: json.RawMessage(`{"document_id":"doc-1"}`),
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		log.Fatal(err)
	}
	fmt.Println("deliveries queued:", res.Deliveries)
	select {
	case got := <-received:
		fmt.Println("received:", got)
	case <-time.After(10 * time.Second):
		fmt.Println("nothing received within 10 s")
	}
	// Output:
	// deliveries queued: 1
	// received: document.created {"document_id":"doc-1"}
}

// A rolled back transaction publishes nothing; publishing an ID again
// writes nothing.
func ExampleClient_Publish() {
	ctx := context.Background()
	hooks, db, cleanup := exampleClient()
	defer cleanup()
	if _, err := hooks.CreateEndpoint(ctx, hookrelay.Endpoint{URL: "https://93.184.215.14/hooks"}); err != nil {
		log.Fatal(err)
	}
	ev := hookrelay.Event{ID: "0193a3c4-0000-7000-8000-00000000c0de", Type: "signature.created"}
	for _, commit := range []bool{false, true, true} {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			log.Fatal(err)
		}
		res, err := hooks.Publish(ctx, tx, ev)
		if err != nil {
			log.Fatal(err)
		}
		if commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("commit %v: created %v, deliveries %d\n", commit, res.Created, res.Deliveries)
	}
	// Output:
	// commit false: created true, deliveries 1
	// commit true: created true, deliveries 1
	// commit true: created false, deliveries 0
}

// Endpoints can be managed from the application, for its own admin screen.
func ExampleClient_CreateEndpoint() {
	ctx := context.Background()
	hooks, _, cleanup := exampleClient()
	defer cleanup()
	created, err := hooks.CreateEndpoint(ctx, hookrelay.Endpoint{
		URL:              "https://93.184.215.14/hooks",
		Title:            "CRM",
		Events:           []string{"document.*", "signature.created"},
		SignatureProfile: hookrelay.ProfileAckify,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("secret generated:", strings.HasPrefix(created.Secret, "whsec_"))
	if _, err := hooks.DisableEndpoint(ctx, created.ID, "CRM migration"); err != nil {
		log.Fatal(err)
	}
	endpoints, err := hooks.ListEndpoints(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range endpoints {
		fmt.Printf("%d %s active=%v (%s)\n", e.ID, e.Title, e.Active, e.DisabledReason)
	}
	_, err = hooks.CreateEndpoint(ctx, hookrelay.Endpoint{URL: "http://127.0.0.1:8080/hooks"})
	fmt.Println(err)
	// Output:
	// secret generated: true
	// 1 CRM active=false (CRM migration)
	// hookrelay: create endpoint: url: host resolves to a non-public address; to allow private targets in development, run hookrelay serve --dev or set HOOKRELAY_ALLOW_PRIVATE_TARGETS=true (WithAllowPrivateTargets in the Go library)
}

// exampleClient returns a client on a new SQLite database, the database, and
// what removes them.
func exampleClient() (*hookrelay.Client[*sql.Tx], *sql.DB, func()) {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	db, err := sql.Open("sqlite", hookrelay.SQLiteDSN(filepath.Join(dir, "app.db")))
	if err != nil {
		log.Fatal(err)
	}
	hooks, err := hookrelay.NewSQLite(context.Background(), db)
	if err != nil {
		log.Fatal(err)
	}
	return hooks, db, func() { db.Close(); os.RemoveAll(dir) }
}
