package hookrelay_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// cancelAfter is the statement after which an armed call is cancelled: the
// insert of the event, half-way through a publish.
const cancelAfter = "INSERT INTO webhook_events"

// armedKey is the context key of what to do once cancelAfter has run.
type armedKey struct{}

// cancellingTracer is a pgx QueryTracer that runs the func stored under
// armedKey in a query's context once a cancelAfter statement of that context
// has completed.
type cancellingTracer struct{}

type firedKey struct{}

func (cancellingTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if strings.Contains(data.SQL, cancelAfter) {
		return context.WithValue(ctx, firedKey{}, true)
	}
	return ctx
}

func (cancellingTracer) TraceQueryEnd(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryEndData) {
	if fire, ok := ctx.Value(armedKey{}).(func(*pgx.Conn)); ok && ctx.Value(firedKey{}) != nil && data.Err == nil {
		fire(conn)
	}
}

// cancelling is a backend whose arm makes a context that is cancelled right
// after the event's insert of a call made with it.
type cancelling struct {
	backend
	arm func(t *testing.T, ctx context.Context) context.Context
}

// eachCancelling runs test on the drivers where a statement can be watched:
// pgx (its QueryTracer), database/sql over pgx/stdlib (the same tracer,
// stdlib.OpenDB) and SQLite (a trigger that calls a Go function).
func eachCancelling(t *testing.T, test func(t *testing.T, b cancelling)) {
	t.Run("postgres", func(t *testing.T) { t.Parallel(); test(t, cancellingPostgres(t)) })
	t.Run("pgx-stdlib", func(t *testing.T) { t.Parallel(); test(t, cancellingStdlib(t)) })
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); test(t, cancellingSQLite(t)) })
}

// armCancel is the arm of the PostgreSQL backends: the context is cancelled.
func armCancel(t *testing.T, ctx context.Context) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	return context.WithValue(ctx, armedKey{}, func(*pgx.Conn) { cancel() })
}

// cancellingPostgres is a backend on a pgx pool with cancellingTracer.
func cancellingPostgres(t *testing.T) cancelling {
	b := newPostgres(t)
	cfg, err := pgxpool.ParseConfig(b.target)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.Tracer = cancellingTracer{}
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	b.tryClient = func(t *testing.T, opts ...hookrelay.Option) (client, error) {
		return hookrelay.NewPostgres(t.Context(), pool, opts...)
	}
	b.begin = func(t *testing.T) appTx {
		tx, err := pool.Begin(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.WithoutCancel(t.Context())
		exec := func(ctx context.Context, statement string) error { _, err := tx.Exec(ctx, statement); return err }
		return newAppTx(t, tx, func() error { return tx.Commit(ctx) }, func() error { return tx.Rollback(ctx) }, exec, pgx.ErrTxClosed)
	}
	return cancelling{b, armCancel}
}

// cancellingStdlib is a backend on database/sql over pgx/stdlib with
// cancellingTracer.
func cancellingStdlib(t *testing.T) cancelling {
	url := testdb.PostgresURL(t)
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Tracer = cancellingTracer{}
	db := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { db.Close() })
	b := sqlBackend("pgx-stdlib", url, db)
	b.tryClient = func(t *testing.T, opts ...hookrelay.Option) (client, error) {
		return hookrelay.NewPostgresSQL(t.Context(), db, url, opts...)
	}
	return cancelling{b, armCancel}
}

// cancellingSQLite is a backend on SQLite whose events table has a trigger
// that fires the test's armed context (firedCtx).
func cancellingSQLite(t *testing.T) cancelling {
	b := newSQLite(t)
	b.newClient(t) // migrates, so that the trigger has its table
	token := t.Name()
	trigger := fmt.Sprintf(`CREATE TRIGGER test_cancel AFTER INSERT ON webhook_events BEGIN SELECT hookrelay_test_fire('%s'); END`, token)
	if err := b.exec(t.Context(), trigger); err != nil {
		t.Fatal(err)
	}
	arm := func(t *testing.T, ctx context.Context) context.Context {
		fc := &firedCtx{Context: ctx}
		sqliteArmed.Store(token, fc)
		t.Cleanup(func() { sqliteArmed.Delete(token) })
		return fc
	}
	return cancelling{b, arm}
}

// sqliteArmed holds the armed context of each SQLite test, by the token its
// trigger passes to hookrelay_test_fire.
var sqliteArmed sync.Map

func init() {
	sqlite.MustRegisterScalarFunction("hookrelay_test_fire", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		if token, ok := args[0].(string); ok {
			if fc, ok := sqliteArmed.Load(token); ok {
				fc.(*firedCtx).fired.Store(true)
			}
		}
		return nil, nil
	})
}

// firedCtx is a context cancelled from the moment fired is set: its Done
// channel, asked for then, is closed. (Cancelling a context while SQLite runs
// a statement interrupts that statement, and SQLite then rolls the whole
// transaction back; cancelled between statements, the next one is refused
// before it runs, which is the case under test.)
type firedCtx struct {
	context.Context
	fired atomic.Bool
}

var closedDone = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (c *firedCtx) Done() <-chan struct{} {
	if c.fired.Load() {
		return closedDone
	}
	return c.Context.Done()
}

func (c *firedCtx) Err() error {
	if c.fired.Load() {
		return context.Canceled
	}
	return c.Context.Err()
}

// TestCancelledCallLeavesNothingInTheCallersTransaction: a publish, a
// PublishMany and a CreateEndpointTx whose context is cancelled right after
// the event's insert fail, and leave nothing of what they wrote in the
// caller's transaction, which commits without it: the event can then be
// published again, whole.
func TestCancelledCallLeavesNothingInTheCallersTransaction(t *testing.T) {
	eachCancelling(t, func(t *testing.T, b cancelling) {
		c := b.newClient(t, fast()...)
		subscribe(t, c)
		verify := true
		cases := []struct {
			name string
			call func(ctx context.Context, tx appTx) error
		}{
			{"Publish", func(ctx context.Context, tx appTx) error {
				_, err := tx.publish(ctx, c, hookrelay.Event{ID: "0190a0a0-0000-7000-8000-000000000001", Type: "order.paid"})
				return err
			}},
			{"PublishMany", func(ctx context.Context, tx appTx) error {
				_, err := tx.publishMany(ctx, c, []hookrelay.Event{
					{ID: "0190a0a0-0000-7000-8000-000000000002", Type: "order.paid"},
					{ID: "0190a0a0-0000-7000-8000-000000000003", Type: "order.paid"},
				})
				return err
			}},
			{"CreateEndpointTx", func(ctx context.Context, tx appTx) error {
				_, err := tx.createEndpoint(ctx, c, hookrelay.Endpoint{URL: "http://127.0.0.1:9/verify", RequireVerification: &verify})
				return err
			}},
		}
		for _, tc := range cases {
			tx := b.begin(t)
			if err := tx.exec(t.Context(), "CREATE TABLE app_"+tc.name+" (x int)"); err != nil {
				t.Fatal(err)
			}
			err := tc.call(b.arm(t, t.Context()), tx)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("%s with a context cancelled half-way = %v, want context.Canceled", tc.name, err)
			}
			if strings.Contains(err.Error(), "hookrelay: hookrelay:") {
				t.Errorf("%s: error %q says hookrelay twice", tc.name, err)
			}
			if err := tx.commit(); err != nil {
				t.Fatalf("%s: commit after the cancelled call: %v", tc.name, err)
			}
			if n := b.count(t, "app_"+tc.name); n != 0 {
				t.Fatalf("%s: the application's table is not committed", tc.name)
			}
		}
		for _, table := range []string{"webhook_events", "webhook_deliveries WHERE event_type <> 'webhook.verification'", "webhooks WHERE target_url LIKE '%/verify'"} {
			if n := b.count(t, table); n != 0 {
				t.Errorf("%d rows of %s after the cancelled calls committed, want none", n, table)
			}
		}
		inTx(t, b.backend, func(tx appTx) {
			res, err := tx.publish(t.Context(), c, hookrelay.Event{ID: "0190a0a0-0000-7000-8000-000000000001", Type: "order.paid"})
			if err != nil || !res.Created || res.Deliveries != 1 {
				t.Errorf("Publish again = %+v, %v; want it created with its delivery", res, err)
			}
		})
	})
}

// TestBrokenConnectionHalfWayIsErrTxAborted: when the connection of the
// caller's transaction dies right after the event's insert, so that the
// savepoint cannot be rolled back, Publish and CreateEndpointTx return an
// error matching ErrTxAborted (roll the transaction back), with
// "hookrelay:" once in front, and the commit fails.
func TestBrokenConnectionHalfWayIsErrTxAborted(t *testing.T) {
	b := cancellingPostgres(t)
	c := b.newClient(t, fast()...)
	kill := func(ctx context.Context) context.Context {
		return context.WithValue(ctx, armedKey{}, func(conn *pgx.Conn) {
			pid := conn.PgConn().PID()
			if err := b.exec(context.WithoutCancel(ctx), fmt.Sprintf("SELECT pg_terminate_backend(%d, 5000)", pid)); err != nil {
				t.Errorf("terminate the transaction's backend: %v", err)
			}
		})
	}
	verify := true
	calls := map[string]func(ctx context.Context, tx appTx) error{
		"Publish": func(ctx context.Context, tx appTx) error {
			_, err := tx.publish(ctx, c, hookrelay.Event{Type: "order.paid"})
			return err
		},
		"CreateEndpointTx": func(ctx context.Context, tx appTx) error {
			_, err := tx.createEndpoint(ctx, c, hookrelay.Endpoint{URL: "http://127.0.0.1:9/verify", RequireVerification: &verify})
			return err
		},
	}
	for name, call := range calls {
		tx := b.begin(t)
		err := call(kill(t.Context()), tx)
		if !errors.Is(err, hookrelay.ErrTxAborted) || errors.Is(err, hookrelay.ErrUnavailable) {
			t.Errorf("%s on a connection that died half-way = %v, want ErrTxAborted (and not ErrUnavailable)", name, err)
		} else if !strings.HasPrefix(err.Error(), "hookrelay: ") || strings.Contains(err.Error(), "hookrelay: hookrelay:") {
			t.Errorf("%s: error %q, want \"hookrelay: \" once in front", name, err)
		}
		if err := tx.commit(); err == nil {
			t.Errorf("%s: the transaction commits after its connection died", name)
		}
	}
	if n := b.count(t, "webhook_events"); n != 0 {
		t.Errorf("%d events stored, want none", n)
	}
}

// TestTypedNilTransactionIsAnError: a nil *pgxpool.Tx passed as the pgx.Tx
// is the error of a nil transaction, not a panic.
func TestTypedNilTransactionIsAnError(t *testing.T) {
	b := newPostgres(t)
	c := b.newClient(t, fast()...).(*hookrelay.Client[pgx.Tx])
	var tx *pgxpool.Tx
	if _, err := c.Publish(t.Context(), tx, hookrelay.Event{Type: "order.paid"}); err == nil || !strings.Contains(err.Error(), "nil transaction") {
		t.Errorf("Publish in a nil *pgxpool.Tx = %v, want the nil transaction's error", err)
	}
	if _, err := c.PublishMany(t.Context(), tx, []hookrelay.Event{{Type: "order.paid"}}); err == nil || !strings.Contains(err.Error(), "nil transaction") {
		t.Errorf("PublishMany in a nil *pgxpool.Tx = %v, want the nil transaction's error", err)
	}
	if _, err := c.CreateEndpointTx(t.Context(), tx, hookrelay.Endpoint{URL: "http://127.0.0.1:9/"}); err == nil || !strings.Contains(err.Error(), "nil transaction") {
		t.Errorf("CreateEndpointTx in a nil *pgxpool.Tx = %v, want the nil transaction's error", err)
	}
}

// TestPublishInAnAbortedTransactionIsErrTxAborted: on PostgreSQL, a publish
// in a transaction that an earlier failed statement aborted (25P02) says so,
// and matches ErrTxAborted.
func TestPublishInAnAbortedTransactionIsErrTxAborted(t *testing.T) {
	eachDriver(t, func(t *testing.T, b backend) {
		if b.name == "sqlite" {
			t.Skip("SQLite does not abort a transaction on a failed statement")
		}
		c := b.newClient(t, fast()...)
		tx := b.begin(t)
		if err := tx.exec(t.Context(), "SELECT 1/0"); err == nil {
			t.Fatal("1/0 did not fail")
		}
		_, err := tx.publish(t.Context(), c, hookrelay.Event{Type: "order.paid"})
		if !errors.Is(err, hookrelay.ErrTxAborted) || !strings.Contains(err.Error(), "aborted by an earlier failed statement") {
			t.Errorf("Publish in an aborted transaction = %v, want ErrTxAborted saying so", err)
		}
		if err := tx.rollback(); err != nil {
			t.Errorf("roll back: %v", err)
		}
	})
}

// TestNewSQLiteRefusesAHandleNotOpenedWithSQLiteDSN: a handle without
// foreign keys, without a busy timeout, or whose transactions do not take
// the write lock when they begin is refused with an error naming what is
// missing and SQLiteDSN; one opened with SQLiteDSN is taken.
func TestNewSQLiteRefusesAHandleNotOpenedWithSQLiteDSN(t *testing.T) {
	path := testdb.SQLitePath(t)
	for _, tc := range []struct{ query, want string }{
		{"", "foreign keys are off"},
		{"_pragma=foreign_keys(1)", "no busy timeout"},
		{"_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)", "do not take the write lock"},
	} {
		db, err := sql.Open("sqlite", "file:"+path+"?"+tc.query)
		if err != nil {
			t.Fatal(err)
		}
		_, err = hookrelay.NewSQLite(t.Context(), db)
		db.Close()
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "hookrelay.SQLiteDSN(path)") {
			t.Errorf("NewSQLite on %q = %v, want a refusal saying %q and naming SQLiteDSN", tc.query, err, tc.want)
		}
	}
	db := openSQLite(t, path)
	if _, err := hookrelay.NewSQLite(t.Context(), db); err != nil {
		t.Errorf("NewSQLite on a handle opened with SQLiteDSN: %v", err)
	}
}

// TestNewPostgresSQLRefusesAURLOfAnotherSchema: a database/sql handle and
// a URL that reach different schemas (each test's own search_path) are
// refused, naming both; the same URL for both is taken.
func TestNewPostgresSQLRefusesAURLOfAnotherSchema(t *testing.T) {
	for _, driverName := range testdb.SQLDrivers {
		t.Run(driverName, func(t *testing.T) {
			url, other := testdb.PostgresURL(t), testdb.PostgresURL(t)
			db := testdb.OpenSQL(t, driverName, url)
			c, err := hookrelay.NewPostgresSQL(t.Context(), db, other)
			if err == nil {
				c.Close()
				t.Fatal("NewPostgresSQL took a handle and a URL of different schemas")
			}
			if !strings.Contains(err.Error(), "must be the same") || !strings.Contains(err.Error(), "schema") {
				t.Errorf("error %v, want one naming both schemas", err)
			}
			c, err = hookrelay.NewPostgresSQL(t.Context(), db, url)
			if err != nil {
				t.Fatalf("NewPostgresSQL on one schema: %v", err)
			}
			c.Close()
		})
	}
}

// TestPublishInATransactionSQLiteRolledBackIsErrTxAborted: an application
// statement interrupted by its context makes SQLite roll the whole
// transaction back; a publish in it then is ErrTxAborted, and commits
// nothing (its savepoint would otherwise begin and commit a transaction of
// its own).
func TestPublishInATransactionSQLiteRolledBackIsErrTxAborted(t *testing.T) {
	b := newSQLite(t)
	c := b.newClient(t, fast()...)
	tx := b.begin(t)
	if err := tx.exec(t.Context(), "CREATE TABLE app (x int)"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	long := `INSERT INTO app WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n`
	if err := tx.exec(ctx, long); err == nil {
		t.Fatal("an endless insert ended")
	}
	_, err := tx.publish(t.Context(), c, hookrelay.Event{Type: "order.paid"})
	if !errors.Is(err, hookrelay.ErrTxAborted) {
		t.Errorf("Publish in a transaction SQLite rolled back = %v, want ErrTxAborted", err)
	}
	_ = tx.commit()
	if n := b.count(t, "webhook_events"); n != 0 {
		t.Errorf("%d events committed outside the rolled back transaction, want none", n)
	}
}
