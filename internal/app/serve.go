// Package app wires hookrelay's parts into the programs that the CLI runs:
// the service (store, workers, HTTP API) and the one-shot commands that work
// on the database directly.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/hookrelay/hookrelay/internal/api"
	"github.com/hookrelay/hookrelay/internal/authlimit"
	"github.com/hookrelay/hookrelay/internal/config"
	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/maintenance"
	"github.com/hookrelay/hookrelay/internal/metrics"
	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/encrypted"
	"github.com/hookrelay/hookrelay/internal/store/storeopen"
	"github.com/hookrelay/hookrelay/internal/ui"
)

// maxRequestHeaderBytes bounds the request headers the HTTP API accepts;
// larger ones get 431.
const maxRequestHeaderBytes = 64 << 10

// OpenStore opens and migrates the store that DATABASE_URL names, with
// secrets sealed at rest when HOOKRELAY_ENCRYPTION_KEY is set.
func OpenStore(ctx context.Context, db config.Database) (store.Store, error) {
	st, _, err := MigrateStore(ctx, db)
	return st, err
}

// MigrateStore is OpenStore that also returns the names of the migrations
// it applied (none when the schema was current), for `hookrelay migrate`.
func MigrateStore(ctx context.Context, db config.Database) (store.Store, []string, error) {
	st, err := storeopen.Open(ctx, db.DatabaseURL)
	if err != nil {
		return nil, nil, err
	}
	applied, err := storeopen.Migrate(ctx, st)
	if err != nil {
		st.Close()
		return nil, nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	sealed, err := seal(ctx, st, db)
	return sealed, applied, err
}

// OpenExistingStore opens the store that DATABASE_URL names without creating
// or migrating it (storeopen.OpenExisting: the error says where it looked),
// with secrets sealed as OpenStore does. One-shot commands that write to the
// database directly use it, so that a wrong DATABASE_URL or working directory
// does not leave an empty database behind.
func OpenExistingStore(ctx context.Context, db config.Database) (store.Store, error) {
	st, err := storeopen.OpenExisting(ctx, db.DatabaseURL)
	if err != nil {
		return nil, err
	}
	return seal(ctx, st, db)
}

// seal wraps st so that secrets are encrypted at rest when
// HOOKRELAY_ENCRYPTION_KEY is set, and refuses a store holding sealed values
// when it is not. st is closed when it fails.
func seal(ctx context.Context, st store.Store, db config.Database) (store.Store, error) {
	if db.EncryptionKey == "" {
		if err := encrypted.CheckNoneSealed(ctx, st); err != nil {
			st.Close()
			return nil, fmt.Errorf("HOOKRELAY_ENCRYPTION_KEY: %w", err)
		}
		return st, nil
	}
	key, err := encrypted.ParseKey(db.EncryptionKey)
	if err == nil {
		var sealed *encrypted.Store
		if sealed, err = encrypted.Wrap(st, key); err == nil {
			return sealed, nil
		}
	}
	st.Close()
	return nil, fmt.Errorf("HOOKRELAY_ENCRYPTION_KEY: %w", err)
}

// Serve runs the service until ctx ends, then shuts it down gracefully. In
// development mode (cfg.Dev) it writes DevBanner to out once it listens.
func Serve(ctx context.Context, cfg config.Serve, logger *slog.Logger, out io.Writer) error {
	st, err := OpenStore(ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer st.Close()
	kind, _, _ := storeopen.Parse(cfg.DatabaseURL)
	logger.Info("store ready", slog.String("store", string(kind)), slog.Bool("secrets_encrypted", cfg.EncryptionKey != ""))
	if _, err := st.ListEndpoints(ctx, store.EndpointFilter{}); err != nil {
		return fmt.Errorf("read endpoints: %w", err)
	}

	svc := service.New(st, service.Options{
		AllowPrivateTargets: cfg.AllowPrivate, DefaultProfile: cfg.SignatureProfile,
		DefaultMaxRetries: cfg.MaxRetries, RotationWindow: cfg.RotationWindow,
	})
	if err := syncConfigEndpoints(ctx, svc, cfg.WebhookURLs, cfg.WebhookSecret, logger); err != nil {
		return err
	}

	m := metrics.New(st)
	worker := NewWorker(st, cfg.Delivery, logger, m)
	maintainer := NewMaintainer(st, cfg.Delivery, logger, worker.Name())
	handler := http.NewServeMux()
	// One limiter for every credential check: API tokens and sign-ins.
	limiter := authlimit.New(time.Now)
	handler.Handle("/", api.New(api.Options{
		Limiter:         limiter,
		Store:           st,
		Service:         svc,
		Logger:          logger,
		Token:           cfg.APIToken,
		MaxPayloadBytes: cfg.MaxPayloadBytes,
		Metrics:         m.Handler(),
	}))
	handler.Handle("/ui/", ui.New(ui.Options{
		Limiter:         limiter,
		Service:         svc,
		Logger:          logger,
		Token:           cfg.APIToken,
		MaxPayloadBytes: cfg.MaxPayloadBytes,
	}))
	handler.Handle("GET /ui", http.RedirectHandler("/ui/", http.StatusMovedPermanently))
	// The site's root is the dashboard; 302, not 301, so that browsers
	// do not remember it should "/" ever serve something else.
	handler.Handle("GET /{$}", http.RedirectHandler("/ui/", http.StatusFound))
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("HOOKRELAY_LISTEN: %w", err)
	}
	if cfg.APIToken == "" {
		logger.Warn("HOOKRELAY_API_TOKEN is not set: the API is open to anyone on this machine, so it listens on loopback only")
	}
	server := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    maxRequestHeaderBytes,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	go func() {
		if err := server.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			serveErr <- err
		}
		close(serveErr)
	}()
	logger.Info("hookrelay started", slog.String("listen", ln.Addr().String()),
		slog.String("dashboard", DashboardURL(ln.Addr())), slog.String("worker", worker.Name()),
		slog.Int("concurrency", cfg.Concurrency), slog.String("timeout", cfg.Timeout().String()), slog.Bool("dev", cfg.Dev))
	if cfg.Dev {
		fmt.Fprint(out, DevBanner(cfg, ln.Addr()))
	}

	workCtx, stopWork := context.WithCancel(ctx)
	defer stopWork()
	workerErr := make(chan error, 1)
	go func() { workerErr <- worker.Run(workCtx) }()
	maintained := make(chan struct{})
	go func() {
		defer close(maintained)
		_ = maintainer.Run(workCtx) // it ends only with workCtx, with nil
	}()

	var errs []error
	select {
	case <-ctx.Done():
		logger.Info("shutting down")
	case err := <-serveErr:
		errs = append(errs, fmt.Errorf("http server: %w", err))
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout+5*time.Second)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		errs = append(errs, fmt.Errorf("http server shutdown: %w", err))
	}
	stopWork()
	if err := <-workerErr; err != nil {
		errs = append(errs, err)
	}
	<-maintained
	logger.Info("stopped")
	return errors.Join(errs...)
}

// DashboardURL is the address of the dashboard of a server listening on
// addr, as a browser on this machine can open it: a listener on all
// addresses (0.0.0.0, [::]) is reached at localhost.
func DashboardURL(addr net.Addr) string {
	return baseURL(addr) + "/ui/"
}

// baseURL is the http:// URL by which a client on this machine reaches a
// server listening on addr: localhost for a listener on all addresses.
func baseURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// NewWorker builds a delivery worker from the delivery settings.
func NewWorker(st store.Store, cfg config.Delivery, logger *slog.Logger, observer delivery.Observer) *delivery.Worker {
	sender := delivery.NewSender(delivery.SenderOptions{
		Timeout:        cfg.Timeout(),
		MaxIdlePerHost: cfg.EndpointInFlight,
		AllowPrivate:   cfg.AllowPrivate,
		DefaultProfile: cfg.SignatureProfile,
	})
	return delivery.NewWorker(st, sender, delivery.Options{
		Concurrency:      cfg.Concurrency,
		EndpointInFlight: cfg.EndpointInFlight,
		BatchSize:        cfg.BatchSize,
		Lease:            cfg.LeaseDuration(),
		PollInterval:     cfg.PollInterval,
		ShutdownTimeout:  cfg.ShutdownTimeout,
		Retry:            delivery.RetryPolicy{Base: cfg.BackoffBase, Cap: cfg.BackoffCap, RetryAfterCap: cfg.RetryAfterCap},
		Health:           store.HealthPolicy{DisableAfterFailures: cfg.DisableAfter, DisableAfterFailingFor: cfg.DisableAfterFor},
		Logger:           logger,
		Observer:         observer,
	})
}

// NewMaintainer builds the maintainer (lease rescue, retention) from the
// delivery settings; name is the worker's, so that logs tell the process.
func NewMaintainer(st store.Store, cfg config.Delivery, logger *slog.Logger, name string) *maintenance.Maintainer {
	return maintenance.New(st, maintenance.Options{
		Name: name, Lease: cfg.LeaseDuration(), Retention: cfg.Retention, Logger: logger,
	})
}

// configSyncRetry is how often serve tries again to sync WEBHOOK_URLS while
// the database takes no writes.
const configSyncRetry = 5 * time.Second

// syncConfigEndpoints makes the endpoints of WEBHOOK_URLS (urls) match the
// database (service.SyncConfigEndpoints). When the database is unavailable
// (read-only, full, unreachable: store.Unavailable) serve still starts, so
// that it can answer 503 and fail /readyz, and the sync is tried again every
// configSyncRetry in the background until it succeeds or ctx ends. Any other
// failure is returned.
func syncConfigEndpoints(ctx context.Context, svc *service.Service, urls []string, secret string, logger *slog.Logger) error {
	sync := func() error {
		n, err := svc.SyncConfigEndpoints(ctx, urls, secret)
		if err == nil && n > 0 {
			logger.Info("endpoints synced from WEBHOOK_URLS", slog.Int("endpoints", n))
		}
		return err
	}
	err := sync()
	if err == nil || !store.Unavailable(err) {
		return err
	}
	logger.Warn("the database takes no writes; serving anyway, WEBHOOK_URLS synced once it does",
		slog.String("error", err.Error()), slog.Duration("retry_every", configSyncRetry))
	go func() {
		tick := time.NewTicker(configSyncRetry)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if err := sync(); err == nil {
					return
				} else if !store.Unavailable(err) {
					logger.Error("sync WEBHOOK_URLS failed", slog.String("error", err.Error()))
				}
			}
		}
	}()
	return nil
}
