package ui_test

import (
	"net/http"
	"testing"

	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestStoreUnavailablePage: while the database cannot be reached, pages say
// so with 503 instead of a generic server error.
func TestStoreUnavailablePage(t *testing.T) {
	b := newSite(t, testdb.UnreachablePostgres(t), testToken).signedIn()
	b.get("/ui/endpoints").must(t, http.StatusServiceUnavailable).contains(t, "The database cannot take requests now")
}
