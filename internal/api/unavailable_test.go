package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/postgres"
	"github.com/hookrelay/hookrelay/internal/store/sqlite"
	"github.com/hookrelay/hookrelay/internal/store/storetest"
	"github.com/hookrelay/hookrelay/internal/testdb"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

// wantUnavailable checks that a publish is refused with 503
// store_unavailable and a Retry-After, and that /readyz fails.
func wantUnavailable(t *testing.T, s *apiServer) {
	t.Helper()
	status, header, raw := s.send("POST", "/v1/events", `{"type":"document.created"}`, nil)
	checkError(t, "publish", status, header, raw, http.StatusServiceUnavailable, "store_unavailable")
	if header.Get("Retry-After") == "" {
		t.Errorf("a store_unavailable answer without Retry-After")
	}
	status, header, raw = s.send("GET", "/readyz", nil, nil)
	checkError(t, "readyz", status, header, raw, http.StatusServiceUnavailable, "not_ready")
}

// TestPostgresReadOnly: on a PostgreSQL session whose transactions are
// read-only (as on a standby), publishes answer 503 store_unavailable and
// /readyz fails, while reads still answer.
func TestPostgresReadOnly(t *testing.T) {
	u := testdb.PostgresURL(t)
	testenv.PostgresAt(t, u) // migrates the schema that ro reads
	parsed, _ := url.Parse(u)
	q := parsed.Query()
	q.Set("options", "-c default_transaction_read_only=on")
	parsed.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20") // pgx reads "+" as itself
	ro, err := postgres.Open(t.Context(), parsed.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ro.Close() })
	s := newServer(t, ro, nil)
	wantUnavailable(t, s)
	s.call("GET", "/v1/webhooks", nil, http.StatusOK, nil)
}

// TestPostgresUnreachable: a store whose pool points at a closed port
// answers 503 store_unavailable, and /readyz fails.
func TestPostgresUnreachable(t *testing.T) {
	s := newServer(t, testdb.UnreachablePostgres(t), nil)
	wantUnavailable(t, s)
	s.wantError("GET", "/v1/webhooks", nil, http.StatusServiceUnavailable, "store_unavailable")
}

// TestSQLiteDiskFullAndReadOnly puts the SQLite file on a small tmpfs of its
// own: once the file system is full, and again once it is read-only,
// publishes answer 503 store_unavailable and /readyz fails; when it has
// room again, both recover. Nothing acknowledged is lost.
func TestSQLiteDiskFullAndReadOnly(t *testing.T) {
	dir := smallDisk(t)
	st := testenv.SQLiteAt(t, filepath.Join(dir, "hookrelay.db"))
	s := newServer(t, st, nil)
	s.createEndpoint("http://127.0.0.1:9/a")
	acked := s.publish("before.full").EventID

	filler := filepath.Join(dir, "filler")
	fill(t, filler)
	wantUnavailable(t, s)
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	storetest.Eventually(t, "publishes work again once there is room", func() bool {
		status, _, _ := s.send("POST", "/v1/events", `{"type":"after.full"}`, nil)
		return status == http.StatusAccepted
	})
	storetest.Eventually(t, "/readyz answers 200 again", func() bool {
		status, _, _ := s.send("GET", "/readyz", nil, nil)
		return status == http.StatusOK
	})
	if _, err := st.GetEvent(t.Context(), acked); err != nil {
		t.Errorf("the event acknowledged before the disk filled: %v", err)
	}

	// The same file through a read-only mount, as on read-only media.
	ro := readOnlyView(t, dir)
	roStore, err := sqlite.Open(t.Context(), filepath.Join(ro, "hookrelay.db"))
	if err != nil {
		t.Fatalf("open the file read-only: %v", err)
	}
	t.Cleanup(func() { roStore.Close() })
	wantUnavailable(t, newServer(t, roStore, nil))
}

// smallDisk mounts a 4 MiB tmpfs of the test's own, unmounted when the test
// ends. It needs root (CAP_SYS_ADMIN); the test is skipped without it.
func smallDisk(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs (needs root): %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// readOnlyView bind-mounts dir read-only at a new directory, unmounted when
// the test ends, and returns that directory.
func readOnlyView(t *testing.T, dir string) string {
	t.Helper()
	view := t.TempDir()
	for _, args := range [][]string{{"--bind", dir, view}, {"-o", "remount,bind,ro", view}} {
		if out, err := exec.Command("mount", args...).CombinedOutput(); err != nil {
			t.Fatalf("mount %v: %v: %s", args, err, out)
		}
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", view).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", view, err, out)
		}
	})
	return view
}

// fill writes path until its file system has no room left.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 4096)
	for {
		if _, err := f.Write(block); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill %s: %v", path, err)
			}
			return
		}
	}
}

// TestUnavailableErrors pins which errors mean a database that cannot take
// requests: those of the real conditions above, and not a bad request.
func TestUnavailableErrors(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		st := newStore(t)
		_, err := st.GetEndpoint(context.Background(), 12345)
		if store.Unavailable(err) || store.Unavailable(nil) {
			t.Errorf("Unavailable(%v) = true, want false", err)
		}
	})
	if !store.Unavailable(fmt.Errorf("x: %w", store.ErrUnavailable)) {
		t.Error("Unavailable(ErrUnavailable) = false")
	}
}
