package cli_test

import (
	"net"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hookrelay/hookrelay/internal/api"
	"github.com/hookrelay/hookrelay/internal/store/postgres"
)

// TestAPIStoreUnavailable: when the server's database cannot be reached, a
// command says so in one line and exits 1.
func TestAPIStoreUnavailable(t *testing.T) {
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
	srv := httptest.NewServer(api.New(api.Options{Store: postgres.New(pool), Token: cliToken}))
	t.Cleanup(srv.Close)
	for _, args := range [][]string{{"webhooks", "list"}, {"deliveries", "list"}} {
		r := runCLI(append(args, "--server", srv.URL, "--api-token", cliToken)...)
		if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "store_unavailable") {
			t.Errorf("hookrelay %v: exit %d, stderr %q; want exit 1 and one line with store_unavailable", args, r.code, r.stderr)
		}
	}
}
