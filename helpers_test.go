package hookrelay_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/internal/testdb"
	"github.com/hookrelay/hookrelay/internal/testwait"
	"github.com/hookrelay/hookrelay/signature"
)

// backend is one store under test: a database of its own, a client on it,
// and the application's side of that database.
type backend struct {
	name string
	// target is the database: a PostgreSQL URL or a SQLite file path.
	target string
	// tryClient makes a client on the application's handle of the database.
	tryClient func(t *testing.T, opts ...hookrelay.Option) (*hookrelay.Client, error)
	// begin opens a transaction of the application's.
	begin func(t *testing.T) appTx
	// queryInt runs a query that returns one integer.
	queryInt func(ctx context.Context, query string) (int, error)
	// exec runs statements on the application's handle.
	exec func(ctx context.Context, statements string) error
}

// appTx is an open transaction of the application's.
type appTx struct {
	tx       hookrelay.Tx
	commit   func() error
	rollback func() error
}

// newAppTx wraps an open transaction and rolls it back when t ends, so that a
// test failing inside it never leaves a connection busy and the pool's Close
// waiting for it. done is the error the driver returns for a transaction
// that has already ended (committed or rolled back by the test).
func newAppTx(t *testing.T, tx hookrelay.Tx, commit, rollback func() error, done error) appTx {
	t.Helper()
	t.Cleanup(func() {
		if err := rollback(); err != nil && !errors.Is(err, done) {
			t.Errorf("roll back the test's transaction: %v", err)
		}
	})
	return appTx{tx: tx, commit: commit, rollback: rollback}
}

// eachStore runs test on PostgreSQL and SQLite, each with a database of its own.
func eachStore(t *testing.T, test func(t *testing.T, b backend)) {
	t.Run("postgres", func(t *testing.T) { t.Parallel(); test(t, newPostgres(t)) })
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); test(t, newSQLite(t)) })
}

func newPostgres(t *testing.T) backend {
	url := testdb.PostgresURL(t)
	pool := openPool(t, url)
	return backend{
		name:   "postgres",
		target: url,
		tryClient: func(t *testing.T, opts ...hookrelay.Option) (*hookrelay.Client, error) {
			return hookrelay.NewPostgres(t.Context(), pool, opts...)
		},
		begin: func(t *testing.T) appTx {
			t.Helper()
			tx, err := pool.Begin(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.WithoutCancel(t.Context())
			return newAppTx(t, tx, func() error { return tx.Commit(ctx) }, func() error { return tx.Rollback(ctx) }, pgx.ErrTxClosed)
		},
		queryInt: func(ctx context.Context, query string) (n int, err error) {
			err = pool.QueryRow(ctx, query).Scan(&n)
			return n, err
		},
		exec: func(ctx context.Context, statements string) error {
			_, err := pool.Exec(ctx, statements)
			return err
		},
	}
}

func newSQLite(t *testing.T) backend {
	path := testdb.SQLitePath(t)
	db := openSQLite(t, path)
	return backend{
		name:   "sqlite",
		target: path,
		tryClient: func(t *testing.T, opts ...hookrelay.Option) (*hookrelay.Client, error) {
			return hookrelay.NewSQLite(t.Context(), db, opts...)
		},
		begin: func(t *testing.T) appTx {
			t.Helper()
			tx, err := db.BeginTx(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			return newAppTx(t, tx, tx.Commit, tx.Rollback, sql.ErrTxDone)
		},
		queryInt: func(ctx context.Context, query string) (n int, err error) {
			err = db.QueryRowContext(ctx, query).Scan(&n)
			return n, err
		},
		exec: func(ctx context.Context, statements string) error {
			_, err := db.ExecContext(ctx, statements)
			return err
		},
	}
}

// openSQLite opens the application's handle of the file at path, closed when
// t ends.
func openSQLite(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", hookrelay.SQLiteDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// count returns the number of rows of from: a table, with a WHERE clause if
// need be.
func (b backend) count(t *testing.T, from string) int {
	t.Helper()
	n, err := b.queryInt(t.Context(), "SELECT count(*) FROM "+from)
	if err != nil {
		t.Fatalf("count %s: %v", from, err)
	}
	return n
}

// newClient makes a client and fails t when it cannot.
func (b backend) newClient(t *testing.T, opts ...hookrelay.Option) *hookrelay.Client {
	t.Helper()
	c, err := b.tryClient(t, opts...)
	if err != nil {
		t.Fatalf("new %s client: %v", b.name, err)
	}
	return c
}

// openPool opens the application's pool, closed when t ends.
func openPool(t *testing.T, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// fast are options that let a test see deliveries and retries at once.
func fast() []hookrelay.Option {
	return []hookrelay.Option{
		hookrelay.WithAllowPrivateTargets(),
		hookrelay.WithTimeout(5 * time.Second),
		hookrelay.WithBackoff(10*time.Millisecond, 50*time.Millisecond),
		hookrelay.WithPollInterval(20 * time.Millisecond),
		hookrelay.WithLogger(slog.New(slog.DiscardHandler)),
	}
}

// started returns a fast client whose workers run until t ends.
func started(t *testing.T, b backend, opts ...hookrelay.Option) *hookrelay.Client {
	t.Helper()
	c := b.newClient(t, append(fast(), opts...)...)
	if err := c.Start(context.WithoutCancel(t.Context())); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := stopWithin(c); err != nil && !errors.Is(err, hookrelay.ErrNotRunning) { // a test may have stopped it
			t.Errorf("Stop: %v", err)
		}
	})
	return c
}

// stop stops c's workers, failing t when that fails or takes longer than
// testwait.Timeout.
func stop(t *testing.T, c *hookrelay.Client) {
	t.Helper()
	if err := stopWithin(c); err != nil {
		t.Errorf("Stop: %v", err)
	}
}

// stopWithin stops c's workers, giving up after testwait.Timeout.
func stopWithin(c *hookrelay.Client) error {
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Timeout)
	defer cancel()
	return c.Stop(ctx)
}

// inTx runs fn in a transaction of the application's and commits it.
func inTx(t *testing.T, b backend, fn func(tx hookrelay.Tx)) {
	t.Helper()
	tx := b.begin(t)
	fn(tx.tx)
	if err := tx.commit(); err != nil {
		t.Fatalf("commit: %v", err)
	}
}

// publish publishes ev in tx and fails t on an error.
func publish(t *testing.T, c *hookrelay.Client, tx hookrelay.Tx, ev hookrelay.Event) hookrelay.PublishResult {
	t.Helper()
	res, err := c.Publish(t.Context(), tx, ev)
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	return res
}

// receiver is a loopback endpoint that verifies each request's signature,
// counts the attempts of each event and records the IDs of the events it
// accepted.
type receiver struct {
	url    string
	secret string
	// fail makes it answer 503 Service Unavailable.
	fail     atomic.Bool
	mu       sync.Mutex
	ids      []string
	attempts map[string]int
	got      chan string
}

// newReceiver starts a receiver, stopped when t ends.
func newReceiver(t *testing.T) *receiver {
	t.Helper()
	secret, err := signature.GenerateSecret()
	if err != nil {
		t.Fatal(err)
	}
	r := &receiver{secret: secret, attempts: map[string]int{}, got: make(chan string, 100)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		v, err := signature.Verify(req.Header, body, signature.VerifyOptions{Secrets: []string{r.secret}})
		if err != nil {
			t.Errorf("receiver: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		r.mu.Lock()
		r.attempts[v.ID]++
		r.mu.Unlock()
		if r.fail.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		r.mu.Lock()
		r.ids = append(r.ids, v.ID)
		r.mu.Unlock()
		r.got <- v.ID
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL + "/hooks"
	return r
}

// subscribe creates an endpoint that sends every event to a new receiver.
func subscribe(t *testing.T, c *hookrelay.Client) *receiver {
	t.Helper()
	r := newReceiver(t)
	if _, err := c.CreateEndpoint(t.Context(), hookrelay.Endpoint{URL: r.url, Secret: r.secret}); err != nil {
		t.Fatalf("CreateEndpoint: %v", err)
	}
	return r
}

// expect waits for the delivery of the event id.
func (r *receiver) expect(t *testing.T, id string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case got := <-r.got:
			if got == id {
				return
			}
		case <-timeout:
			t.Fatalf("event %s was not delivered; got %v", id, r.received())
		}
	}
}

// received returns the IDs of the events accepted so far.
func (r *receiver) received() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ids...)
}

// attemptsOf returns the number of requests that carried the event id.
func (r *receiver) attemptsOf(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.attempts[id]
}
