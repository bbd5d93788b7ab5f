package cli

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestPublishRefusesMissingDatabase: publish in a folder without a database
// creates nothing and says, in one line with exit 1, where it looked.
func TestPublishRefusesMissingDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hookrelay.db")
	t.Setenv("DATABASE_URL", path)
	_, stderr, code := runCLI(t, "publish", "--type", "document.created")
	if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, path) || !strings.Contains(stderr, "hookrelay migrate") {
		t.Errorf("publish without a database: exit %d, stderr %q; want exit 1 and one line naming %s", code, stderr, path)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("publish created %s (stat: %v)", path, err)
	}
}

// TestPublishRefusesRetriesAboveTheLimit: publish's WEBHOOK_MAX_RETRIES
// has serve's bounds, 0 to store.MaxRetriesLimit, before it opens anything.
func TestPublishRefusesRetriesAboveTheLimit(t *testing.T) {
	t.Setenv("DATABASE_URL", filepath.Join(t.TempDir(), "hookrelay.db"))
	for _, n := range []string{"-1", fmt.Sprint(store.MaxRetriesLimit + 1)} {
		_, stderr, code := runCLI(t, "publish", "--type", "document.created", "--webhook-max-retries="+n)
		if want := fmt.Sprintf("must be between 0 and %d", store.MaxRetriesLimit); code != 2 || !strings.Contains(stderr, want) {
			t.Errorf("publish --webhook-max-retries %s: exit %d, stderr %q; want exit 2 and %q", n, code, stderr, want)
		}
	}
}

// TestPublishRefusesUnmigratedDatabase: an existing but empty SQLite file,
// or a PostgreSQL schema without hookrelay's tables, is refused too.
func TestPublishRefusesUnmigratedDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{path, testdb.PostgresURL(t)} {
		t.Setenv("DATABASE_URL", u)
		_, stderr, code := runCLI(t, "publish", "--type", "document.created")
		if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "not migrated") {
			t.Errorf("publish on an unmigrated database %s: exit %d, stderr %q; want exit 1 and \"not migrated\"", u, code, stderr)
		}
	}
}

// TestMigrateSaysWhatItDid: migrate names the store and database, password
// redacted, and the migrations it applied; none the second time.
func TestMigrateSaysWhatItDid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hookrelay.db")
	pg := testdb.PostgresURL(t)
	for _, tt := range []struct{ url, where string }{
		{"sqlite:" + path, "store: SQLite file " + path},
		{pg, "store: PostgreSQL database postgres://postgres:xxxxx@"},
	} {
		t.Setenv("DATABASE_URL", tt.url)
		stdout, stderr, code := runCLI(t, "migrate")
		if code != 0 || !strings.Contains(stdout, tt.where) || !strings.Contains(stdout, "migrations applied: 001_") {
			t.Errorf("first migrate of %s: exit %d, stdout %q, stderr %q; want %q and the migrations applied", tt.url, code, stdout, stderr, tt.where)
		}
		if strings.Contains(stdout, ":postgres@") {
			t.Errorf("migrate printed the password: %q", stdout)
		}
		stdout, _, code = runCLI(t, "migrate")
		if code != 0 || !strings.Contains(stdout, "migrations applied: none") {
			t.Errorf("second migrate of %s: exit %d, stdout %q; want \"migrations applied: none\"", tt.url, code, stdout)
		}
	}
}

// TestDatabaseURLKinds: a PostgreSQL keyword/value string opens PostgreSQL
// (no SQLite file of that name appears), file:PATH names a SQLite file, and
// an unknown scheme is a bad setting (exit 2) on every command that opens
// the database.
func TestDatabaseURLKinds(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	pg, err := url.Parse(testdb.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	pass, _ := pg.User.Password()
	t.Setenv("DATABASE_URL", fmt.Sprintf("user=%s password=%s host=%s port=%s dbname=%s sslmode=disable search_path=%s",
		pg.User.Username(), pass, pg.Hostname(), pg.Port(), strings.TrimPrefix(pg.Path, "/"), pg.Query().Get("search_path")))
	stdout, stderr, code := runCLI(t, "migrate")
	if code != 0 || !strings.Contains(stdout, "PostgreSQL database") || !strings.Contains(stdout, "password=xxxxx") || !strings.Contains(stdout, "applied: 001_") {
		t.Errorf("migrate with a keyword string: exit %d, stdout %q, stderr %q; want PostgreSQL, password redacted", code, stdout, stderr)
	}
	t.Setenv("DATABASE_URL", "file:y.db")
	if stdout, stderr, code := runCLI(t, "migrate"); code != 0 || !strings.Contains(stdout, "SQLite file "+filepath.Join(dir, "y.db")) {
		t.Errorf("migrate with file:y.db: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) == 0 || entries[0].Name() != "y.db" {
		t.Errorf("files after the two migrations: %v; want y.db (and its WAL files) only", entries)
	}
	t.Setenv("DATABASE_URL", "mysql://root:S3cretPW@x")
	for _, cmd := range [][]string{{"migrate"}, {"publish", "--type", "a.b"}} {
		if _, stderr, code := runCLI(t, cmd...); code != 2 || !strings.Contains(stderr, `unsupported scheme "mysql"`) || strings.Contains(stderr, "S3cretPW") {
			t.Errorf("%v with mysql://root:S3cretPW@x: exit %d, stderr %q; want exit 2, the password hidden", cmd, code, stderr)
		}
	}
}
