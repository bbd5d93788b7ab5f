package postgres_test

import (
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/postgres"
	"github.com/hookrelay/hookrelay/internal/testdb"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

// TestPublishesOfOneKeyTakeTurns shows that delivery IDs of one ordering
// key follow commit order: while a transaction that published key a is
// open, a publish of a in another transaction waits (on the key's lock),
// and gets the higher ID once the first commits; a publish of key b does
// not wait.
func TestPublishesOfOneKeyTakeTurns(t *testing.T) {
	ctx := t.Context()
	u := testdb.PostgresURL(t)
	s := migrated(t, u)
	if _, err := s.CreateEndpoint(ctx, store.Endpoint{URL: "https://a.example", Secret: "s", Active: true}); err != nil {
		t.Fatal(err)
	}
	first, second, other := testdb.Connect(t, u), testdb.Connect(t, u), testdb.Connect(t, u)
	begin := func(conn *pgx.Conn) pgx.Tx {
		tx, err := conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rollBackAtEnd(t, tx)
		return tx
	}
	publishIn := func(tx pgx.Tx, key string) string {
		res, err := postgres.PublishTx(ctx, tx, store.Event{Type: "order.paid", OrderingKey: key}, store.PublishOptions{})
		if err != nil || res.Deliveries != 1 {
			t.Errorf("PublishTx(%s) = %+v, %v; want 1 delivery", key, res, err)
		}
		return res.Event.ID
	}
	tx1 := begin(first)
	firstID := publishIn(tx1, "a")

	tx3 := begin(other)
	publishIn(tx3, "b")
	if err := tx3.Commit(ctx); err != nil {
		t.Fatal(err)
	}

	tx2 := begin(second)
	published := make(chan string, 1)
	go func() { published <- publishIn(tx2, "a") }()
	testwait.Until(t, "the second publish of a waiting for the key's lock", func() bool {
		var waiting int
		err := first.QueryRow(ctx, `
			SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND pid = $1`,
			second.PgConn().PID()).Scan(&waiting)
		return err == nil && waiting == 1
	})
	if err := tx1.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	secondID := testwait.Receive(t, published, "the second publish")
	if err := tx2.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	one, err := s.ListDeliveries(ctx, store.DeliveryFilter{EventID: firstID})
	if err != nil {
		t.Fatal(err)
	}
	two, err := s.ListDeliveries(ctx, store.DeliveryFilter{EventID: secondID})
	if err != nil {
		t.Fatal(err)
	}
	if len(one) != 1 || len(two) != 1 || one[0].ID >= two[0].ID {
		t.Errorf("deliveries %+v then %+v, want the first commit's with the lower ID", one, two)
	}
}
