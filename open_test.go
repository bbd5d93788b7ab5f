package hookrelay_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/internal/clientparts"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testdb"
	"github.com/hookrelay/hookrelay/internal/testenv"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

// fastConfig is fast() as a Config.
func fastConfig() hookrelay.Config {
	return hookrelay.Config{
		AllowPrivateTargets: true,
		Timeout:             5 * time.Second,
		BackoffBase:         10 * time.Millisecond,
		BackoffCap:          50 * time.Millisecond,
		PollInterval:        20 * time.Millisecond,
		Logger:              slog.New(slog.DiscardHandler),
	}
}

// openURL opens a client by URL, closed when t ends.
func openURL(t *testing.T, databaseURL string, cfg hookrelay.Config) *hookrelay.Client[hookrelay.NoTx] {
	t.Helper()
	c, err := hookrelay.Open(t.Context(), databaseURL, cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// TestOpenByURL: Open takes serve's DATABASE_URL forms, migrates, delivers
// with its workers, feeds Config.Metrics, and Close closes the database it
// opened.
func TestOpenByURL(t *testing.T) {
	for name, databaseURL := range map[string]func(t *testing.T) string{
		"postgres": func(t *testing.T) string { return testdb.PostgresURL(t) },
		"sqlite":   func(t *testing.T) string { return "sqlite:" + testdb.SQLitePath(t) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := fastConfig()
			reg := prometheus.NewRegistry()
			cfg.Metrics = reg
			c := openURL(t, databaseURL(t), cfg)
			r := subscribe(t, c)
			if err := c.Start(t.Context()); err != nil {
				t.Fatal(err)
			}
			r.expect(t, publishNow(t, c, "document.created").EventID)
			if !gathers(t, reg, "hookrelay_delivery_attempts_total") {
				t.Error("Config.Metrics lacks hookrelay's attempt counter")
			}
			if !gathers(t, reg, "hookrelay_endpoint_concurrency_limit") {
				t.Error("Config.Metrics lacks the limit of the endpoint the workers sent to")
			}
			if err := c.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			_, err := c.PublishNow(context.WithoutCancel(t.Context()), hookrelay.Event{Type: "document.created"})
			if err == nil {
				t.Error("PublishNow after Close succeeded: the database Open opened is still open")
			} else if n := strings.Count(err.Error(), "publish event"); n != 1 {
				t.Errorf("PublishNow after Close = %q, want it to say \"publish event\" once", err)
			}
			_, err = c.CreateEndpoint(context.WithoutCancel(t.Context()), hookrelay.Endpoint{URL: "https://example.com/hook"})
			if err == nil || strings.Count(err.Error(), "create endpoint") != 1 {
				t.Errorf("CreateEndpoint after Close = %v, want it to say \"create endpoint\" once", err)
			}
			if err := c.Start(t.Context()); !errors.Is(err, hookrelay.ErrClosed) {
				t.Errorf("Start after Close = %v, want ErrClosed", err)
			}
			if err := c.Run(t.Context()); !errors.Is(err, hookrelay.ErrClosed) {
				t.Errorf("Run after Close = %v, want ErrClosed", err)
			}
			if err := c.Close(); err != nil {
				t.Errorf("a second Close = %v, want nil", err)
			}
		})
	}
}

func TestOpenRefusesWhatIsNoDatabase(t *testing.T) {
	_, err := hookrelay.Open(t.Context(), "mysql://localhost/db", hookrelay.Config{})
	if !errors.Is(err, hookrelay.ErrInvalid) || !strings.Contains(err.Error(), `unsupported scheme "mysql"`) || strings.Contains(err.Error(), "DATABASE_URL") {
		t.Errorf("Open(mysql://…) = %v, want ErrInvalid saying the scheme, naming no environment variable", err)
	}
	// The password of a URL it refuses is not in its error.
	_, err = hookrelay.Open(t.Context(), "postgress://u:S3cretPW@localhost/db", hookrelay.Config{})
	if !errors.Is(err, hookrelay.ErrInvalid) || strings.Contains(err.Error(), "S3cretPW") {
		t.Errorf("Open(postgress://u:S3cretPW@…) = %v, want ErrInvalid without the password", err)
	}
	// key=value settings that PostgreSQL does not take (its keywords are
	// lowercase) are no SQLite file name: nothing is created.
	dir := t.TempDir()
	t.Chdir(dir)
	_, err = hookrelay.Open(t.Context(), "Host=localhost user=postgres password=S3cretPW dbname=postgres", hookrelay.Config{})
	if !errors.Is(err, hookrelay.ErrInvalid) || !strings.Contains(err.Error(), "key=value") || strings.Contains(err.Error(), "S3cretPW") {
		t.Errorf("Open(Host=…) = %v, want ErrInvalid saying it looks like key=value settings, without the password", err)
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("Open(Host=…) created %v", files)
	}
	_, err = hookrelay.Open(t.Context(), testdb.SQLitePath(t), hookrelay.Config{Timeout: -time.Second})
	var ce *hookrelay.ConfigError
	if !errors.As(err, &ce) || ce.Field != "Timeout" {
		t.Errorf("Open with a bad Config = %v, want a *ConfigError for Timeout", err)
	}
}

// TestEncryptedDatabaseWithoutKey: a client without a key, or with a wrong
// one, on a database holding encrypted secrets is refused with a
// *ConfigError for EncryptionKey, whose text names no environment variable.
func TestEncryptedDatabaseWithoutKey(t *testing.T) {
	const key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	path := testdb.SQLitePath(t)
	cfg := fastConfig()
	cfg.EncryptionKey = key
	c := openURL(t, path, cfg)
	subscribe(t, c)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := hookrelay.Open(t.Context(), path, fastConfig())
	var ce *hookrelay.ConfigError
	if !errors.As(err, &ce) || ce.Field != "EncryptionKey" || strings.Contains(err.Error(), "HOOKRELAY_") {
		t.Errorf("Open without the key = %v, want a *ConfigError for EncryptionKey naming no environment variable", err)
	}
	// A well-formed key that is not the one the database holds is refused
	// before it writes anything; the right one still opens.
	cfg.EncryptionKey = strings.Repeat("ab", 32)
	_, err = hookrelay.Open(t.Context(), path, cfg)
	if !errors.As(err, &ce) || ce.Field != "EncryptionKey" || !strings.Contains(err.Error(), "another key") || strings.Contains(err.Error(), "HOOKRELAY_") {
		t.Errorf("Open with a wrong key = %v, want a *ConfigError for EncryptionKey", err)
	}
	cfg.EncryptionKey = key
	openURL(t, path, cfg)
}

// gathers reports whether reg gathers the metric family name.
func gathers(t *testing.T, reg *prometheus.Registry, name string) bool {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, f := range families {
		if f.GetName() == name {
			return true
		}
	}
	return false
}

// TestProcessWithoutKeyLeavesSealedEndpointsToTheKeyHolder: a client
// without a key, running on a database where another process seals an
// endpoint's secret, hands that endpoint's deliveries back unsent: no
// attempt counted, no failure against the endpoint, the endpoint named in
// its log; the client with the key then delivers them.
func TestProcessWithoutKeyLeavesSealedEndpointsToTheKeyHolder(t *testing.T) {
	const key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	path := testdb.SQLitePath(t)
	logs := &testenv.Buffer{}
	plainCfg := fastConfig()
	plainCfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	plain := openURL(t, path, plainCfg)
	if err := plain.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	keyedCfg := fastConfig()
	keyedCfg.EncryptionKey = key
	keyed := openURL(t, path, keyedCfg)
	r := subscribe(t, keyed)
	res := publishNow(t, keyed, "document.created")
	testwait.Until(t, "the client without a key hands the delivery back", func() bool {
		return strings.Contains(logs.String(), "this process has no encryption key")
	})
	st := clientparts.Of(keyed).Store
	ds, err := st.ListDeliveries(t.Context(), store.DeliveryFilter{EventID: res.EventID})
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries: %v, %v", ds, err)
	}
	if d := ds[0]; d.Status != store.StatusPending || d.RetryCount != 0 || d.LastError != "" {
		t.Errorf("delivery after the client without a key saw it: %s, retry %d, %q; want pending, nothing counted", d.Status, d.RetryCount, d.LastError)
	}
	e, err := st.GetEndpoint(t.Context(), ds[0].EndpointID)
	if err != nil || e.FailureCount != 0 || !e.Active {
		t.Errorf("endpoint: failures %d, active %v, %v; want untouched", e.FailureCount, e.Active, err)
	}
	if !strings.Contains(logs.String(), fmt.Sprintf("endpoint_id=%d", e.ID)) {
		t.Errorf("the log does not name endpoint %d:\n%s", e.ID, logs.String())
	}
	if err := keyed.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	r.expect(t, res.EventID)
	if n := r.attemptsOf(res.EventID); n != 1 {
		t.Errorf("receiver got %d attempts, want 1", n)
	}
}
