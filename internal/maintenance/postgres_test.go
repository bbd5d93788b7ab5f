package maintenance_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hookrelay/hookrelay/internal/maintenance"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/postgres"
	"github.com/hookrelay/hookrelay/internal/testdb"
	"github.com/hookrelay/hookrelay/internal/testenv"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

// postgresBackend is the PostgreSQL entry of backends.
var postgresBackend = backends[0]

// lockHolders returns the backends that hold the maintainer's lock of the
// schema at conn's search_path.
func lockHolders(t *testing.T, conn *pgx.Conn) []int32 {
	t.Helper()
	rows, err := conn.Query(t.Context(), `
		SELECT pid FROM pg_locks
		WHERE locktype = 'advisory' AND granted
		  AND classid = $1::bigint::oid AND objid = 'webhook_deliveries'::regclass::oid AND objsubid = 2`,
		int64(postgres.MaintainerLockKey))
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		t.Fatalf("read the maintainer's lock: %v", err)
	}
	return pids
}

// TestPostgresLeaderConnectionLost: when the server ends the session of the
// maintainer's connection, its lock is gone; the other process takes over
// within its retry interval, and the former maintainer stops maintaining.
func TestPostgresLeaderConnectionLost(t *testing.T) {
	stores, u := postgresBackend.open(t, 2)
	conn := testdb.Connect(t, u)
	var ms [2]*maintenance.Maintainer
	logs := &testenv.Buffer{}
	for i := range ms {
		opts := fast(t, nil)
		opts.Logger = slog.New(slog.NewJSONHandler(logs, nil))
		ms[i] = maintenance.New(stores[i], opts)
		start(t, ms[i])
	}
	leader := waitLeader(t, ms[:])
	follower := 1 - leader
	pids := lockHolders(t, conn)
	if len(pids) != 1 {
		t.Fatalf("%d backends hold the maintainer's lock, want 1", len(pids))
	}
	var terminated bool
	if err := conn.QueryRow(t.Context(), `SELECT pg_terminate_backend($1)`, pids[0]).Scan(&terminated); err != nil || !terminated {
		t.Fatalf("terminate the maintainer's connection: %v, %v", terminated, err)
	}
	killed := time.Now()
	testwait.Until(t, "the follower takes over", ms[follower].Maintaining)
	// The lock is free once the session ends; the follower tries again
	// every RetryInterval (20ms): well within a second, even on a loaded
	// machine.
	if took := time.Since(killed); took > 2*time.Second {
		t.Errorf("the follower took over %s after the leader's connection died", took)
	}
	testwait.Until(t, "the former leader sees its loss", func() bool { return !ms[leader].Maintaining() })
	// Durations are logged as text, as in every other log of hookrelay.
	testwait.Until(t, "the loss is logged", func() bool { return strings.Contains(logs.String(), "maintainership lost") })
	if !strings.Contains(logs.String(), `"retry_every":"20ms"`) {
		t.Errorf("the loss's log does not write retry_every as a duration:\n%s", logs.String())
	}
	if pids := lockHolders(t, conn); len(pids) != 1 {
		t.Errorf("%d backends hold the lock after the takeover, want 1", len(pids))
	}
}

// TestPostgresClaimsGoOnWhileRetentionDeletes holds the maintainer's
// retention delete on a row lock (the attempt of an old delivery, which the
// delete removes by cascade) and proves, from stored state, that the
// maintainer rescues a lost lease and a worker claims and delivers new
// deliveries while that delete waits.
func TestPostgresClaimsGoOnWhileRetentionDeletes(t *testing.T) {
	stores, u := postgresBackend.open(t, 1)
	s := stores[0]
	conn := testdb.Connect(t, u)
	url, _ := receiver(t)
	addEndpoint(t, s, url)
	old := publish(t, s)[0]
	deliverAll(t, s)
	if _, err := conn.Exec(t.Context(), `UPDATE webhook_deliveries SET processed_at = now() - interval '40 days' WHERE id = $1`, old); err != nil {
		t.Fatal(err)
	}
	blocker := testdb.Connect(t, u)
	tx, err := blocker.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback(t.Context()) })
	if _, err := tx.Exec(t.Context(), `SELECT 1 FROM webhook_delivery_attempts WHERE delivery_id = $1 FOR UPDATE`, old); err != nil {
		t.Fatal(err)
	}
	var blockerPID int32
	if err := tx.QueryRow(t.Context(), `SELECT pg_backend_pid()`).Scan(&blockerPID); err != nil {
		t.Fatal(err)
	}
	opts := fast(t, nil)
	opts.Retention = 30 * 24 * time.Hour
	start(t, maintenance.New(s, opts))
	deleteWaits := func() bool {
		var n int
		err := conn.QueryRow(t.Context(), `
			SELECT count(*) FROM pg_stat_activity
			WHERE $1 = ANY (pg_blocking_pids(pid)) AND query LIKE '%DELETE FROM webhook_deliveries%'`, blockerPID).Scan(&n)
		if err != nil {
			t.Fatalf("read pg_stat_activity: %v", err)
		}
		return n == 1
	}
	testwait.Until(t, "the retention delete waits on the locked attempt", deleteWaits)
	// Rescue goes on while the delete waits.
	lost := publish(t, s)[0]
	if n := len(claim(t, s, "crashed", time.Millisecond)); n != 1 {
		t.Fatalf("claimed %d deliveries, want 1", n)
	}
	testwait.Until(t, "the lost lease is rescued while the delete waits", func() bool {
		return status(t, s, lost).RetryCount == 1
	})

	startWorker(t, s)
	const events = 5
	var fresh []int64
	for range events {
		fresh = append(fresh, publish(t, s)...)
	}
	testwait.Until(t, "the new deliveries are delivered", func() bool {
		for _, id := range fresh {
			if status(t, s, id).Status != store.StatusDelivered {
				return false
			}
		}
		return true
	})
	if !deleteWaits() || gone(t, s, old) {
		t.Fatal("the retention delete ended before the new deliveries were sent: the test proves nothing")
	}
	if err := tx.Rollback(t.Context()); err != nil {
		t.Fatal(err)
	}
	testwait.Until(t, "the old delivery is deleted once the lock is gone", func() bool { return gone(t, s, old) })
}

// TestPostgresStuckMaintainerLeasesAreRescued: a maintainer that is alive
// but stuck keeps its lock (here a test connection holds it and rescues
// nothing); a process that is not the maintainer still rescues the leases
// that expired more than StuckGrace ago, once each, and leaves recent ones
// alone.
func TestPostgresStuckMaintainerLeasesAreRescued(t *testing.T) {
	stores, u := postgresBackend.open(t, 1)
	s := stores[0]
	holder := testdb.Connect(t, u)
	if _, err := holder.Exec(t.Context(), `SELECT pg_advisory_lock($1::int4, 'webhook_deliveries'::regclass::oid::int4)`, postgres.MaintainerLockKey); err != nil {
		t.Fatalf("take the maintainer's lock: %v", err)
	}
	addEndpoint(t, s, "https://a.example/hook")
	lost := publish(t, s)[0]
	if n := len(claim(t, s, "crashed", time.Millisecond)); n != 1 {
		t.Fatalf("claimed %d deliveries, want 1", n)
	}
	live := publish(t, s)[0]
	if n := len(claim(t, s, "alive", time.Hour)); n != 1 {
		t.Fatalf("claimed %d deliveries, want 1", n)
	}
	logs := &testenv.Buffer{}
	opts := fast(t, logs)
	opts.StuckGrace = 100 * time.Millisecond
	opts.StuckRescueInterval = 20 * time.Millisecond
	m := maintenance.New(s, opts)
	start(t, m)
	testwait.Until(t, "the follower rescues the lease the stuck maintainer left", func() bool {
		return status(t, s, lost).Status == store.StatusPending
	})
	if m.Maintaining() {
		t.Fatal("the process became the maintainer while the lock is held: the test proves nothing")
	}
	if d := status(t, s, lost); d.RetryCount != 1 || d.LastError != store.LeaseExpiredMessage {
		t.Errorf("rescued delivery: retry %d, %q; want retry 1, the lost attempt counted once", d.RetryCount, d.LastError)
	}
	if d := status(t, s, live); d.Status != store.StatusProcessing {
		t.Errorf("a live lease was rescued: %s", d.Status)
	}
	testwait.Until(t, "the rescue is logged", func() bool { return strings.Contains(logs.String(), "the maintainer seems stuck") })
}
