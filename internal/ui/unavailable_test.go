package ui_test

import (
	"net"
	"net/http"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hookrelay/hookrelay/internal/store/postgres"
)

// TestStoreUnavailablePage: while the database cannot be reached, pages say
// so with 503 instead of a generic server error.
func TestStoreUnavailablePage(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	pool, err := pgxpool.New(t.Context(), "postgres://postgres:postgres@"+closed+"/postgres?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	b := newSite(t, postgres.New(pool), testToken).signedIn()
	b.get("/ui/endpoints").must(t, http.StatusServiceUnavailable).contains(t, "The database cannot take requests now")
}
