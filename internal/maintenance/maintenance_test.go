package maintenance_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/maintenance"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/postgres"
	"github.com/hookrelay/hookrelay/internal/store/sqlite"
	"github.com/hookrelay/hookrelay/internal/testdb"
	"github.com/hookrelay/hookrelay/internal/testenv"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

// backend opens stores on one database, as separate processes sharing it
// do: the first one migrated, each closed when the test ends.
type backend struct {
	name string
	// open returns n stores on one new database, and its PostgreSQL URL
	// ("" for SQLite).
	open func(t *testing.T, n int) ([]store.Store, string)
}

var backends = []backend{
	{"postgres", func(t *testing.T, n int) ([]store.Store, string) {
		u := testdb.PostgresURL(t)
		return openEach(t, n, func() (store.Store, error) { return postgres.Open(context.Background(), u) }), u
	}},
	{"sqlite", func(t *testing.T, n int) ([]store.Store, string) {
		path := testdb.SQLitePath(t)
		return openEach(t, n, func() (store.Store, error) { return sqlite.Open(context.Background(), path) }), ""
	}},
}

// openEach opens n stores with open, migrates the first and closes them
// when t ends.
func openEach(t *testing.T, n int, open func() (store.Store, error)) []store.Store {
	t.Helper()
	stores := make([]store.Store, n)
	for i := range stores {
		s, err := open()
		if err != nil {
			t.Fatalf("open store: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		if i == 0 {
			if err := s.Migrate(t.Context()); err != nil {
				t.Fatalf("migrate: %v", err)
			}
		}
		stores[i] = s
	}
	return stores
}

func TestMaintainer(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Run("ExpiredLeaseIsDelivered", func(t *testing.T) { t.Parallel(); testExpiredLease(t, b) })
			t.Run("DeletesOldDeliveries", func(t *testing.T) { t.Parallel(); testDeletesOld(t, b) })
			t.Run("OneProcessMaintainsAtATime", func(t *testing.T) { t.Parallel(); testOneAtATime(t, b) })
			t.Run("DeletesExpiredPortalLinksADayLate", func(t *testing.T) { t.Parallel(); testDeletesExpiredPortal(t, b) })
		})
	}
}

// fast makes a maintainer act within milliseconds.
func fast(t *testing.T, logs *testenv.Buffer) maintenance.Options {
	t.Helper()
	if logs == nil {
		logs = &testenv.Buffer{}
	}
	return maintenance.Options{
		RescueInterval:    20 * time.Millisecond,
		RetentionInterval: 20 * time.Millisecond,
		RetryInterval:     20 * time.Millisecond,
		Term:              300 * time.Millisecond,
		Logger:            slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
}

// start runs m until the test ends or the returned stop is called; stop
// returns once Run has.
func start(t *testing.T, m *maintenance.Maintainer) (stop func()) {
	t.Helper()
	return testenv.Run(t, "the maintainer", m.Run)
}

// startWorker runs a delivery worker on s until the test ends.
func startWorker(t *testing.T, s store.Store) {
	t.Helper()
	sender := delivery.NewSender(delivery.SenderOptions{Timeout: 5 * time.Second, MaxIdlePerHost: 8, AllowPrivate: true})
	w := delivery.NewWorker(s, sender, delivery.Options{
		Concurrency: 8, EndpointInFlight: 8, BatchSize: 10, Lease: 5 * time.Second,
		PollInterval: 20 * time.Millisecond, ShutdownTimeout: 5 * time.Second,
		Retry: delivery.RetryPolicy{Base: time.Minute, Cap: time.Hour, RetryAfterCap: time.Hour},
	})
	testenv.Run(t, "the worker", w.Run)
}

// receiver is a loopback endpoint that answers 200 and counts requests.
func receiver(t *testing.T) (url string, requests *atomic.Int64) {
	requests = &atomic.Int64{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, requests
}

func addEndpoint(t *testing.T, s store.Store, url string) store.Endpoint {
	t.Helper()
	e, err := s.CreateEndpoint(t.Context(), store.Endpoint{
		Title: "test", URL: url, Secret: "test-secret-0123456789", Active: true, SignatureProfile: store.ProfileStandard,
	})
	if err != nil {
		t.Fatalf("create endpoint: %v", err)
	}
	return e
}

// publish publishes one event to every endpoint and returns its delivery
// IDs.
func publish(t *testing.T, s store.Store) []int64 {
	t.Helper()
	res := testenv.Publish(t, s, store.Event{Type: "document.created", Data: json.RawMessage(`{"n":1}`)}, 3)
	ds, err := s.ListDeliveries(t.Context(), store.DeliveryFilter{EventID: res.Event.ID})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	return ids
}

// claim claims every due delivery as worker with lease.
func claim(t *testing.T, s store.Store, worker string, lease time.Duration) []store.Claimed {
	t.Helper()
	claimed, err := s.Claim(t.Context(), store.ClaimRequest{Limit: 100, Lease: lease, Worker: worker})
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	return claimed
}

// deliverAll claims every due delivery and records it delivered.
func deliverAll(t *testing.T, s store.Store) []store.Claimed {
	t.Helper()
	claimed := claim(t, s, "test", time.Minute)
	outcomes := make([]store.Outcome, len(claimed))
	for i, c := range claimed {
		outcomes[i] = store.Outcome{Lease: c.Lease, Result: store.ResultDelivered, Attempt: store.Attempt{
			DeliveryID: c.Delivery.ID, Attempt: 1, StartedAt: time.Now(),
		}}
	}
	if _, err := s.Complete(t.Context(), outcomes, store.HealthPolicy{}); err != nil {
		t.Fatalf("complete: %v", err)
	}
	return claimed
}

// gone reports whether delivery id was deleted.
func gone(t *testing.T, s store.Store, id int64) bool {
	t.Helper()
	_, err := s.GetDelivery(t.Context(), id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("get delivery %d: %v", id, err)
	}
	return err != nil
}

// status returns delivery id.
func status(t *testing.T, s store.Store, id int64) store.Delivery {
	t.Helper()
	d, err := s.GetDelivery(t.Context(), id)
	if err != nil {
		t.Fatalf("get delivery %d: %v", id, err)
	}
	return d
}

// testExpiredLease: a worker claims a delivery and dies without a word; the
// maintainer takes it back and a live worker delivers it, the lost attempt
// counted.
func testExpiredLease(t *testing.T, b backend) {
	stores, _ := b.open(t, 1)
	s := stores[0]
	url, requests := receiver(t)
	addEndpoint(t, s, url)
	id := publish(t, s)[0]
	if n := len(claim(t, s, "crashed", 50*time.Millisecond)); n != 1 {
		t.Fatalf("claimed %d deliveries, want 1", n)
	}
	start(t, maintenance.New(s, fast(t, nil)))
	startWorker(t, s)
	testwait.Until(t, "the rescued delivery is delivered", func() bool {
		return status(t, s, id).Status == store.StatusDelivered
	})
	if d := status(t, s, id); d.RetryCount != 1 {
		t.Errorf("retry_count = %d, want 1 (the lost attempt counts)", d.RetryCount)
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("receiver got %d requests, want 1", n)
	}
}

// testDeletesOld: finished deliveries past the retention are deleted,
// unfinished ones kept.
func testDeletesOld(t *testing.T, b backend) {
	stores, _ := b.open(t, 1)
	s := stores[0]
	addEndpoint(t, s, "https://a.example/hook")
	old := publish(t, s)[0]
	deliverAll(t, s)
	open := publish(t, s)[0]
	logs := &testenv.Buffer{}
	opts := fast(t, logs)
	opts.Retention = time.Millisecond
	start(t, maintenance.New(s, opts))
	testwait.Until(t, "the finished delivery is deleted", func() bool { return gone(t, s, old) })
	if d := status(t, s, open); d.Status != store.StatusPending {
		t.Errorf("the pending delivery became %s", d.Status)
	}
	testwait.Until(t, "the deletion is logged", func() bool { return strings.Contains(logs.String(), "deleted old deliveries") })
}

// testDeletesExpiredPortal: with Retention 0 (deliveries kept forever) the
// maintainer still deletes the portal links that expired more than
// ExpiredPortalKeep ago, and keeps the one that expired an hour ago, which
// still answers ErrPortalLinkUsed (a 410 page), and a live one.
func testDeletesExpiredPortal(t *testing.T, b backend) {
	stores, _ := b.open(t, 1)
	s := stores[0]
	link := func(token string, expires time.Time) []byte {
		t.Helper()
		hash := sha256.Sum256([]byte(token))
		if _, err := s.CreatePortalSession(t.Context(), store.PortalSession{TenantID: "acme", ExpiresAt: expires}, hash[:]); err != nil {
			t.Fatalf("create portal link %s: %v", token, err)
		}
		return hash[:]
	}
	now := time.Now()
	old := link("old", now.Add(-maintenance.ExpiredPortalKeep-time.Hour))
	recent := link("recent", now.Add(-time.Hour))
	live := link("live", now.Add(time.Hour))
	logs := &testenv.Buffer{}
	opts := fast(t, logs)
	opts.Retention = 0
	start(t, maintenance.New(s, opts))
	testwait.Until(t, "the deletion is logged", func() bool { return strings.Contains(logs.String(), "deleted expired portal sessions") })
	enter := func(tokenHash []byte) error {
		_, err := s.EnterPortalSession(t.Context(), tokenHash, []byte(t.Name()+string(tokenHash)))
		return err
	}
	if err := enter(old); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("link expired a day and an hour ago: %v, want ErrNotFound (deleted)", err)
	}
	if err := enter(recent); !errors.Is(err, store.ErrPortalLinkUsed) {
		t.Errorf("link expired an hour ago: %v, want ErrPortalLinkUsed (kept, a 410)", err)
	}
	if err := enter(live); err != nil {
		t.Errorf("live link: %v, want it kept and usable", err)
	}
}

// testOneAtATime: of two processes on one database, one maintains (the
// other neither rescues nor deletes); when it stops, the other takes over.
func testOneAtATime(t *testing.T, b backend) {
	stores, _ := b.open(t, 2)
	var logs [2]testenv.Buffer
	var ms [2]*maintenance.Maintainer
	var stops [2]func()
	for i := range ms {
		opts := fast(t, &logs[i])
		opts.Retention = time.Millisecond
		opts.Lease = time.Second
		ms[i] = maintenance.New(stores[i], opts)
		stops[i] = start(t, ms[i])
	}
	leader := waitLeader(t, ms[:])
	follower := 1 - leader

	s := stores[0]
	addEndpoint(t, s, "https://a.example/hook")
	finished := publish(t, s)[0]
	deliverAll(t, s)
	lost := publish(t, s)[0]
	claim(t, s, "crashed", time.Millisecond)
	testwait.Until(t, "the expired lease is rescued and the finished delivery deleted", func() bool {
		return gone(t, s, finished) && status(t, s, lost).Status == store.StatusPending
	})
	testwait.Until(t, "the leader logs its work", func() bool {
		l := logs[leader].String()
		return strings.Contains(l, "rescued deliveries whose worker was lost") && strings.Contains(l, "deleted old deliveries")
	})
	if l := logs[follower].String(); ms[follower].Maintaining() || strings.Contains(l, "maintaining the store") ||
		strings.Contains(l, "rescued") || strings.Contains(l, "deleted") {
		t.Fatalf("the follower maintained too:\n%s", l)
	}

	stops[leader]()
	testwait.Until(t, "the follower takes over", ms[follower].Maintaining)
}

// waitLeader waits until exactly one of ms maintains and returns its index.
func waitLeader(t *testing.T, ms []*maintenance.Maintainer) int {
	t.Helper()
	leader := -1
	testwait.Until(t, "one maintainer", func() bool {
		leader = -1
		for i, m := range ms {
			if m.Maintaining() {
				if leader >= 0 {
					t.Fatalf("maintainers %d and %d both maintain", leader, i)
				}
				leader = i
			}
		}
		return leader >= 0
	})
	return leader
}
