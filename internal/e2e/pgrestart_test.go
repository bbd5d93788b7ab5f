package e2e

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// throwawayPostgres is a PostgreSQL cluster of the test's own, on a free
// port, which the test may stop and start without disturbing other tests.
type throwawayPostgres struct {
	binDir, dataDir, socketDir string
	port                       int
	runAs                      string // "" when the test already runs as a non-root user
}

// newThrowawayPostgres creates and starts a cluster with initdb. As root it
// runs the server as the postgres user, as PostgreSQL refuses to run as root.
func newThrowawayPostgres(t *testing.T) *throwawayPostgres {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		t.Fatal("PostgreSQL server binaries not found under /usr/lib/postgresql; scripts/test installs them")
	}
	pg := &throwawayPostgres{binDir: filepath.Dir(bins[len(bins)-1]), port: freePort(t)}
	if u, err := user.Current(); err == nil && u.Uid == "0" {
		pg.runAs = "postgres"
	}
	root, err := os.MkdirTemp("", "hookrelay-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	pg.dataDir, pg.socketDir = filepath.Join(root, "data"), root
	if pg.runAs != "" {
		if out, err := exec.Command("chown", "-R", pg.runAs, root).CombinedOutput(); err != nil {
			t.Fatalf("chown: %v: %s", err, out)
		}
	}
	pg.run(t, "initdb", "-D", pg.dataDir, "-A", "trust", "-U", "postgres", "--no-sync")
	pg.start(t)
	t.Cleanup(func() { pg.ctl(t, "stop", "-m", "immediate") })
	return pg
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func (pg *throwawayPostgres) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", pg.port)
}

func (pg *throwawayPostgres) start(t *testing.T) {
	pg.ctl(t, "start", "-w", "-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", pg.port, pg.socketDir))
}

func (pg *throwawayPostgres) ctl(t *testing.T, args ...string) {
	pg.run(t, "pg_ctl", append([]string{"-D", pg.dataDir, "-l", filepath.Join(pg.socketDir, "log")}, args...)...)
}

func (pg *throwawayPostgres) run(t *testing.T, program string, args ...string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(pg.binDir, program), args...)
	if pg.runAs != "" {
		cmd = exec.Command("runuser", append([]string{"-u", pg.runAs, "--", filepath.Join(pg.binDir, program)}, args...)...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", program, strings.Join(args, " "), err, out)
	}
}

// TestPostgresRestartUnderLoad restarts PostgreSQL while `hookrelay serve`
// delivers: the service must log the outage, reconnect by itself and finish
// the work with nothing lost.
func TestPostgresRestartUnderLoad(t *testing.T) {
	const events = 200
	pg := newThrowawayPostgres(t)
	rcv := newCountingReceiver(t, 5*time.Millisecond)
	env := serveEnv(pg.url(), rcv.URL)
	serve := start(t, env, "serve")
	st := openStore(t, pg.url())
	publishUnderLoad(t, st, rcv, events)

	pg.ctl(t, "restart", "-m", "fast", "-w", "-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", pg.port, pg.socketDir))

	waitAllDelivered(t, st, rcv, events)
	if !serve.logged(`"level":"ERROR"`) {
		t.Error("the outage left no error in the log")
	}
	if err := serve.stop(t); err != nil {
		t.Errorf("serve after SIGTERM: %v", err)
	}
}

// TestShutdownWithDatabaseDown stops PostgreSQL under load and then asks
// `hookrelay serve` to stop: it must end within its shutdown bounds rather
// than wait forever to write outcomes to a database that is gone.
func TestShutdownWithDatabaseDown(t *testing.T) {
	pg := newThrowawayPostgres(t)
	rcv := newCountingReceiver(t, 20*time.Millisecond)
	env := append(serveEnv(pg.url(), rcv.URL), "HOOKRELAY_SHUTDOWN_TIMEOUT=1s")
	serve := start(t, env, "serve")
	st := openStore(t, pg.url())
	publishUnderLoad(t, st, rcv, 200)

	pg.ctl(t, "stop", "-m", "immediate")
	waitUntil(t, 20*time.Second, "the outage logged", func() bool { return serve.logged(`"level":"ERROR"`) })
	stopped := time.Now()
	_ = serve.stop(t) // the exit code may report unrecorded outcomes
	if took := time.Since(stopped); took > 20*time.Second {
		t.Errorf("serve took %s to stop with the database down", took)
	}
	pg.start(t) // for the cleanup's stop
}
