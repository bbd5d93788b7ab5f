package hookrelay_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

// The environment that turns the test binary into an application that dies
// before it commits (see crashBeforeCommit).
const (
	crashStoreEnv  = "HOOKRELAY_TEST_CRASH_STORE"
	crashTargetEnv = "HOOKRELAY_TEST_CRASH_TARGET"
)

func TestMain(m *testing.M) {
	if kind := os.Getenv(crashStoreEnv); kind != "" {
		if err := crashBeforeCommit(kind, os.Getenv(crashTargetEnv)); err != nil {
			fmt.Fprintln(os.Stderr, "crash child:", err)
			os.Exit(2)
		}
		return
	}
	os.Exit(m.Run())
}

// crashBeforeCommit creates an endpoint and publishes in a transaction on
// the database target through the driver kind (a backend's name), prints
// the event ID and waits, the transaction open, to be killed.
func crashBeforeCommit(kind, target string) error {
	ctx := context.Background()
	var publish func() (hookrelay.PublishResult, error)
	switch kind {
	case "postgres":
		pool, err := pgxpool.New(ctx, target)
		if err != nil {
			return err
		}
		c, err := hookrelay.NewPostgres(ctx, pool, hookrelay.WithoutMigrate(), hookrelay.WithAllowPrivateTargets())
		if err != nil {
			return err
		}
		tx, err := pool.Begin(ctx)
		if err != nil {
			return err
		}
		publish = func() (hookrelay.PublishResult, error) { return createAndPublish(ctx, c, tx) }
	case "sqlite", "pgx-stdlib", "lib-pq":
		var db *sql.DB
		var c *hookrelay.Client[*sql.Tx]
		var err error
		if kind == "sqlite" {
			if db, err = sql.Open("sqlite", hookrelay.SQLiteDSN(target)); err != nil {
				return err
			}
			c, err = hookrelay.NewSQLite(ctx, db, hookrelay.WithoutMigrate(), hookrelay.WithAllowPrivateTargets())
		} else {
			if db, err = sql.Open(sqlDriverOf(kind), target); err != nil {
				return err
			}
			c, err = hookrelay.NewPostgresSQL(ctx, db, target, hookrelay.WithoutMigrate(), hookrelay.WithAllowPrivateTargets())
		}
		if err != nil {
			return err
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		publish = func() (hookrelay.PublishResult, error) { return createAndPublish(ctx, c, tx) }
	default:
		return fmt.Errorf("unknown store %q", kind)
	}
	res, err := publish()
	if err != nil {
		return err
	}
	fmt.Println(res.EventID)
	select {}
}

// createAndPublish creates an endpoint and publishes an event to it in tx.
func createAndPublish[TTx any](ctx context.Context, c *hookrelay.Client[TTx], tx TTx) (hookrelay.PublishResult, error) {
	if _, err := c.CreateEndpointTx(ctx, tx, hookrelay.Endpoint{URL: "http://127.0.0.1:9/crashed"}); err != nil {
		return hookrelay.PublishResult{}, err
	}
	return c.Publish(ctx, tx, hookrelay.Event{Type: "document.created"})
}

func TestCrashBeforeCommitLeavesNothing(t *testing.T) {
	eachDriver(t, func(t *testing.T, b backend) {
		c := started(t, b)
		r := subscribe(t, c)

		child := exec.Command(os.Args[0], "-test.run=^$")
		child.Env = append(os.Environ(), crashStoreEnv+"="+b.name, crashTargetEnv+"="+b.target)
		var stderr strings.Builder
		child.Stderr = &stderr
		stdout, err := child.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = child.Process.Kill() }) // when the test fails first; an error says it had ended
		type published struct {
			line string
			err  error
		}
		out := make(chan published, 1)
		go func() {
			line, err := bufio.NewReader(stdout).ReadString('\n')
			out <- published{line, err}
		}()
		got := testwait.Receive(t, out, "the application's published event ID")
		if got.err != nil {
			child.Process.Kill()
			child.Wait()
			t.Fatalf("the application did not publish: %v; stderr: %s", got.err, stderr.String())
		}
		crashed := strings.TrimSpace(got.line)
		if err := child.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		child.Wait()
		nothingQueued(t, b)
		if n := b.count(t, "webhooks"); n != 1 {
			t.Errorf("webhooks has %d rows, want only the test's: the crashed transaction's endpoint stayed", n)
		}

		marker, err := c.PublishNow(t.Context(), hookrelay.Event{Type: "document.created"})
		if err != nil {
			t.Fatalf("publish after the crash: %v", err)
		}
		r.expect(t, marker.EventID)
		if slices.Contains(r.received(), crashed) {
			t.Errorf("the event %s of the crashed transaction was delivered", crashed)
		}
	})
}
