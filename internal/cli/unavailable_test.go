package cli_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/api"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestAPIStoreUnavailable: when the server's database cannot be reached, a
// command says so in one line and exits 1.
func TestAPIStoreUnavailable(t *testing.T) {
	srv := httptest.NewServer(api.New(api.Options{Store: testdb.UnreachablePostgres(t), Token: cliToken}))
	t.Cleanup(srv.Close)
	for _, args := range [][]string{{"webhooks", "list"}, {"deliveries", "list"}} {
		r := runCLI(append(args, "--server", srv.URL, "--api-token", cliToken)...)
		if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "store_unavailable") {
			t.Errorf("hookrelay %v: exit %d, stderr %q; want exit 1 and one line with store_unavailable", args, r.code, r.stderr)
		}
	}
}
