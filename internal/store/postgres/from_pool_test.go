package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/postgres"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

func TestNewSharesTheCallersPool(t *testing.T) {
	pool, err := pgxpool.New(t.Context(), testdb.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	s := postgres.New(pool)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate through the caller's pool: %v", err)
	}
	if _, err := s.CreateEndpoint(t.Context(), store.Endpoint{URL: "https://a.example", Secret: "s", Active: true}); err != nil {
		t.Fatal(err)
	}

	tx, err := pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	rollBackAtEnd(t, tx)
	res, err := postgres.PublishTx(t.Context(), tx, store.Event{Type: "document.created"}, store.PublishOptions{})
	if err != nil || res.Deliveries != 1 {
		t.Fatalf("PublishTx on the caller's pool = %+v, %v; want 1 delivery", res, err)
	}
	if err := tx.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	claimed, err := s.Claim(t.Context(), store.ClaimRequest{Limit: 10, Lease: time.Minute, Worker: "w"})
	if err != nil || len(claimed) != 1 || claimed[0].Event.ID != res.Event.ID {
		t.Fatalf("Claim = %d deliveries, %v; want the published one", len(claimed), err)
	}

	s.Close()
	if err := pool.Ping(context.Background()); err == nil {
		t.Error("the pool still answers after Close; New's doc says Close closes it")
	}
}
