package postgres_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/hookrelay/hookrelay/internal/store/postgres"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestMaintainerConnectionIsNamed: the connection that holds the
// maintainer's lock is named after its holder in pg_stat_activity, so that
// an operator sees which process maintains; once released, none is.
func TestMaintainerConnectionIsNamed(t *testing.T) {
	u := testdb.PostgresURL(t)
	s := migrated(t, u)
	conn := testdb.Connect(t, u)
	holderName := func() (string, error) {
		var name string
		err := conn.QueryRow(t.Context(), `
			SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)
			WHERE l.locktype = 'advisory' AND l.granted
			  AND l.classid = $1::bigint::oid AND l.objid = 'webhook_deliveries'::regclass::oid AND l.objsubid = 2`,
			int64(postgres.MaintainerLockKey)).Scan(&name)
		return name, err
	}
	held, ok, err := s.TryMaintain(t.Context(), "worker-7", time.Minute)
	if err != nil || !ok {
		t.Fatalf("TryMaintain = %v, %v; want the maintainership", ok, err)
	}
	if name, err := holderName(); err != nil || name != "hookrelay maintainer worker-7" {
		t.Errorf("the lock holder's application_name: %q, %v; want %q", name, err, "hookrelay maintainer worker-7")
	}
	held.Release()
	if name, err := holderName(); err != pgx.ErrNoRows {
		t.Errorf("after Release, the lock is held by %q (%v); want no holder", name, err)
	}
}

// TestMaintainerApplicationNameFits: a long holder is cut to the 63 bytes
// PostgreSQL keeps, at a rune boundary.
func TestMaintainerApplicationNameFits(t *testing.T) {
	name := postgres.MaintainerApplicationName(strings.Repeat("é", 40))
	if len(name) > 63 || !utf8.ValidString(name) || !strings.HasPrefix(name, "hookrelay maintainer é") {
		t.Errorf("MaintainerApplicationName of a long holder = %q (%d bytes)", name, len(name))
	}
}
