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

// client is what the tests use of a *hookrelay.Client[TTx] that takes no
// transaction, whatever its TTx: the tests of every driver share it, and
// reach the transactional methods through appTx.
type client interface {
	CreateEndpoint(ctx context.Context, e hookrelay.Endpoint) (hookrelay.Endpoint, error)
	UpdateEndpoint(ctx context.Context, id int64, u hookrelay.EndpointUpdate) (hookrelay.Endpoint, error)
	RotateSecret(ctx context.Context, id int64, secret string) (hookrelay.Endpoint, error)
	PingEndpoint(ctx context.Context, id int64) (hookrelay.PublishResult, error)
	VerifyEndpoint(ctx context.Context, id int64) (hookrelay.Endpoint, error)
	GetEndpoint(ctx context.Context, id int64) (hookrelay.Endpoint, error)
	ListEndpoints(ctx context.Context) ([]hookrelay.Endpoint, error)
	ListTenantEndpoints(ctx context.Context, tenantID string) ([]hookrelay.Endpoint, error)
	DisableEndpoint(ctx context.Context, id int64, reason string) (hookrelay.Endpoint, error)
	EnableEndpoint(ctx context.Context, id int64) (hookrelay.Endpoint, error)
	DeleteEndpoint(ctx context.Context, id int64) error
	PublishNow(ctx context.Context, ev hookrelay.Event) (hookrelay.PublishResult, error)
	PublishManyNow(ctx context.Context, evs []hookrelay.Event) ([]hookrelay.PublishResult, error)
	EndpointRecovery(ctx context.Context, id int64) (hookrelay.EndpointRecovery, error)
	StopRecovery(ctx context.Context, id int64) (hookrelay.Endpoint, error)
	CreateEventType(ctx context.Context, et hookrelay.EventType) (hookrelay.EventType, error)
	GetEventType(ctx context.Context, name string) (hookrelay.EventType, error)
	ListEventTypes(ctx context.Context) ([]hookrelay.EventType, error)
	UpdateEventType(ctx context.Context, name string, u hookrelay.EventTypeUpdate) (hookrelay.EventType, error)
	DeleteEventType(ctx context.Context, name string) error
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	Run(ctx context.Context) error
	Close() error
}

var (
	_ client = (*hookrelay.Client[pgx.Tx])(nil)
	_ client = (*hookrelay.Client[*sql.Tx])(nil)
	_ client = (*hookrelay.Client[hookrelay.NoTx])(nil)
)

// backend is one store under test, reached through one driver: a database
// of its own, a client on it, and the application's side of that database.
type backend struct {
	// name is the driver's: postgres (pgx), pgx-stdlib and lib-pq
	// (database/sql on PostgreSQL), sqlite.
	name string
	// target is the database: a PostgreSQL URL or a SQLite file path.
	target string
	// tryClient makes a client on the application's handle of the database.
	tryClient func(t *testing.T, opts ...hookrelay.Option) (client, error)
	// begin opens a transaction of the application's.
	begin func(t *testing.T) appTx
	// queryInt runs a query that returns one integer.
	queryInt func(ctx context.Context, query string) (int, error)
	// exec runs statements on the application's handle.
	exec func(ctx context.Context, statements string) error
}

// appTx is an open transaction of the application's, with the client
// methods that write in it: each takes a client that the backend made.
type appTx struct {
	commit   func() error
	rollback func() error
	// exec runs a statement of the application's in the transaction.
	exec           func(ctx context.Context, statement string) error
	publish        func(ctx context.Context, c client, ev hookrelay.Event) (hookrelay.PublishResult, error)
	publishMany    func(ctx context.Context, c client, evs []hookrelay.Event) ([]hookrelay.PublishResult, error)
	createEndpoint func(ctx context.Context, c client, e hookrelay.Endpoint) (hookrelay.Endpoint, error)
	updateEndpoint func(ctx context.Context, c client, id int64, u hookrelay.EndpointUpdate) (hookrelay.Endpoint, error)
	disable        func(ctx context.Context, c client, id int64, reason string) (hookrelay.Endpoint, error)
	enable         func(ctx context.Context, c client, id int64) (hookrelay.Endpoint, error)
	deleteEndpoint func(ctx context.Context, c client, id int64) error
	// publishNil and publishManyNil publish in a nil transaction of the
	// client's type.
	publishNil     func(ctx context.Context, c client, ev hookrelay.Event) (hookrelay.PublishResult, error)
	publishManyNil func(ctx context.Context, c client, evs []hookrelay.Event) ([]hookrelay.PublishResult, error)
}

// newAppTx wraps tx, an open transaction, and rolls it back when t ends, so
// that a test failing inside it never leaves a connection busy and the
// pool's Close waiting for it. done is the error the driver returns for a
// transaction that has already ended (committed or rolled back by the
// test). The client methods of the appTx are those of a
// *hookrelay.Client[TTx].
func newAppTx[TTx any](t *testing.T, tx TTx, commit, rollback func() error, exec func(context.Context, string) error, done error) appTx {
	t.Helper()
	t.Cleanup(func() {
		if err := rollback(); err != nil && !errors.Is(err, done) {
			t.Errorf("roll back the test's transaction: %v", err)
		}
	})
	of := func(c client) *hookrelay.Client[TTx] { return c.(*hookrelay.Client[TTx]) }
	return appTx{
		commit: commit, rollback: rollback, exec: exec,
		publish: func(ctx context.Context, c client, ev hookrelay.Event) (hookrelay.PublishResult, error) {
			return of(c).Publish(ctx, tx, ev)
		},
		publishMany: func(ctx context.Context, c client, evs []hookrelay.Event) ([]hookrelay.PublishResult, error) {
			return of(c).PublishMany(ctx, tx, evs)
		},
		createEndpoint: func(ctx context.Context, c client, e hookrelay.Endpoint) (hookrelay.Endpoint, error) {
			return of(c).CreateEndpointTx(ctx, tx, e)
		},
		updateEndpoint: func(ctx context.Context, c client, id int64, u hookrelay.EndpointUpdate) (hookrelay.Endpoint, error) {
			return of(c).UpdateEndpointTx(ctx, tx, id, u)
		},
		disable: func(ctx context.Context, c client, id int64, reason string) (hookrelay.Endpoint, error) {
			return of(c).DisableEndpointTx(ctx, tx, id, reason)
		},
		enable: func(ctx context.Context, c client, id int64) (hookrelay.Endpoint, error) {
			return of(c).EnableEndpointTx(ctx, tx, id)
		},
		deleteEndpoint: func(ctx context.Context, c client, id int64) error {
			return of(c).DeleteEndpointTx(ctx, tx, id)
		},
		publishNil: func(ctx context.Context, c client, ev hookrelay.Event) (hookrelay.PublishResult, error) {
			var none TTx
			return of(c).Publish(ctx, none, ev)
		},
		publishManyNil: func(ctx context.Context, c client, evs []hookrelay.Event) ([]hookrelay.PublishResult, error) {
			var none TTx
			return of(c).PublishMany(ctx, none, evs)
		},
	}
}

// eachStore runs test on PostgreSQL (through pgx) and SQLite, each with a
// database of its own.
func eachStore(t *testing.T, test func(t *testing.T, b backend)) {
	t.Run("postgres", func(t *testing.T) { t.Parallel(); test(t, newPostgres(t)) })
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); test(t, newSQLite(t)) })
}

// eachDriver runs test through every driver that a client writes in the
// application's transactions with, each on a database of its own: pgx,
// database/sql on PostgreSQL with pgx/stdlib and with lib/pq, and SQLite.
func eachDriver(t *testing.T, test func(t *testing.T, b backend)) {
	eachStore(t, test)
	for _, name := range []string{"pgx-stdlib", "lib-pq"} {
		t.Run(name, func(t *testing.T) { t.Parallel(); test(t, newPostgresSQL(t, name)) })
	}
}

// sqlDriverOf is the database/sql driver name of a backend on PostgreSQL
// through database/sql.
func sqlDriverOf(name string) string {
	if name == "lib-pq" {
		return "postgres"
	}
	return "pgx"
}

func newPostgres(t *testing.T) backend {
	url := testdb.PostgresURL(t)
	pool := openPool(t, url)
	return backend{
		name:   "postgres",
		target: url,
		tryClient: func(t *testing.T, opts ...hookrelay.Option) (client, error) {
			return hookrelay.NewPostgres(t.Context(), pool, opts...)
		},
		begin: func(t *testing.T) appTx {
			t.Helper()
			tx, err := pool.Begin(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.WithoutCancel(t.Context())
			exec := func(ctx context.Context, statement string) error {
				_, err := tx.Exec(ctx, statement)
				return err
			}
			return newAppTx(t, tx, func() error { return tx.Commit(ctx) }, func() error { return tx.Rollback(ctx) }, exec, pgx.ErrTxClosed)
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

// newPostgresSQL is a backend on PostgreSQL through database/sql with the
// driver of name (sqlDriverOf).
func newPostgresSQL(t *testing.T, name string) backend {
	url := testdb.PostgresURL(t)
	db := testdb.OpenSQL(t, sqlDriverOf(name), url)
	b := sqlBackend(name, url, db)
	b.tryClient = func(t *testing.T, opts ...hookrelay.Option) (client, error) {
		return hookrelay.NewPostgresSQL(t.Context(), db, url, opts...)
	}
	return b
}

func newSQLite(t *testing.T) backend {
	path := testdb.SQLitePath(t)
	db := openSQLite(t, path)
	b := sqlBackend("sqlite", path, db)
	b.tryClient = func(t *testing.T, opts ...hookrelay.Option) (client, error) {
		return hookrelay.NewSQLite(t.Context(), db, opts...)
	}
	return b
}

// sqlBackend is a backend on db, a database/sql handle of target, without
// its tryClient.
func sqlBackend(name, target string, db *sql.DB) backend {
	return backend{
		name:   name,
		target: target,
		begin: func(t *testing.T) appTx {
			t.Helper()
			tx, err := db.BeginTx(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			exec := func(ctx context.Context, statement string) error {
				_, err := tx.ExecContext(ctx, statement)
				return err
			}
			return newAppTx(t, tx, tx.Commit, tx.Rollback, exec, sql.ErrTxDone)
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
func (b backend) newClient(t *testing.T, opts ...hookrelay.Option) client {
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
func started(t *testing.T, b backend, opts ...hookrelay.Option) client {
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
func stop(t *testing.T, c client) {
	t.Helper()
	if err := stopWithin(c); err != nil {
		t.Errorf("Stop: %v", err)
	}
}

// stopWithin stops c's workers, giving up after testwait.Timeout.
func stopWithin(c client) error {
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Timeout)
	defer cancel()
	return c.Stop(ctx)
}

// inTx runs fn in a transaction of the application's and commits it.
func inTx(t *testing.T, b backend, fn func(tx appTx)) {
	t.Helper()
	tx := b.begin(t)
	fn(tx)
	if err := tx.commit(); err != nil {
		t.Fatalf("commit: %v", err)
	}
}

// publish publishes ev in tx and fails t on an error.
func publish(t *testing.T, c client, tx appTx, ev hookrelay.Event) hookrelay.PublishResult {
	t.Helper()
	res, err := tx.publish(t.Context(), c, ev)
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
func subscribe(t *testing.T, c client) *receiver {
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
