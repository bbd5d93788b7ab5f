// Package app wires hookrelay's parts into the programs that the CLI runs:
// the service, built on the library (a hookrelay.Client from hookrelay.Open
// holds the store, the workers and the metrics; app mounts the HTTP API, the
// dashboard and /metrics on it), and the one-shot commands that work on the
// database directly.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/internal/api"
	"github.com/hookrelay/hookrelay/internal/authlimit"
	"github.com/hookrelay/hookrelay/internal/clientparts"
	"github.com/hookrelay/hookrelay/internal/config"
	"github.com/hookrelay/hookrelay/internal/metrics"
	"github.com/hookrelay/hookrelay/internal/repeat"
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
// secrets sealed at rest when HOOKRELAY_ENCRYPTION_KEY is set, for the
// one-shot commands (serve opens its store through hookrelay.Open).
func OpenStore(ctx context.Context, db config.Database) (store.Store, error) {
	st, _, err := MigrateStore(ctx, db)
	return st, err
}

// MigrateStore is OpenStore that also returns the names of the migrations
// it applied (none when the schema was current), for `hookrelay migrate`.
func MigrateStore(ctx context.Context, db config.Database) (store.Store, []string, error) {
	st, err := storeopen.Open(ctx, db.DatabaseURL)
	if err != nil {
		return nil, nil, fmt.Errorf("DATABASE_URL: %w", err)
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
		if !errors.Is(err, storeopen.ErrNoDatabase) {
			err = fmt.Errorf("DATABASE_URL: %w", err)
		}
		return nil, err
	}
	return seal(ctx, st, db)
}

// seal wraps st so that secrets are encrypted at rest when
// HOOKRELAY_ENCRYPTION_KEY is set, and refuses a store holding sealed values
// when it is not (encrypted.Seal). st is closed when it fails.
func seal(ctx context.Context, st store.Store, db config.Database) (store.Store, error) {
	sealed, err := encrypted.Seal(ctx, st, db.EncryptionKey, nil)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("HOOKRELAY_ENCRYPTION_KEY: %w", err)
	}
	return sealed, nil
}

// Serve runs the service until ctx ends, then shuts it down gracefully. Its
// runtime (store, workers, metrics) is a hookrelay.Client that hookrelay.Open
// builds from cfg.Library(); Serve mounts the HTTP API, the dashboard and
// /metrics on the client's parts (clientparts). In development mode
// (cfg.Dev) it writes DevBanner to out once it listens.
func Serve(ctx context.Context, cfg config.Serve, logger *slog.Logger, out io.Writer) error {
	lib, err := cfg.Library()
	if err != nil {
		return config.EnvError(err)
	}
	if _, _, err := storeopen.Parse(cfg.DatabaseURL); err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	tp, err := startTracing(ctx, logger)
	if err != nil {
		return err
	}
	defer stopTracing(ctx, tp, logger)
	registry := metrics.NewRegistry()
	lib.Logger, lib.Metrics, lib.TracerProvider = logger, registry, tp.TracerProvider
	client, err := hookrelay.Open(ctx, cfg.DatabaseURL, lib)
	if err != nil {
		return openError(err)
	}
	defer client.Close()
	parts := clientparts.Of(client)
	st := parts.Store
	kind, _, _ := storeopen.Parse(cfg.DatabaseURL)
	logger.Info("store ready", slog.String("store", string(kind)), slog.Bool("secrets_encrypted", cfg.EncryptionKey != ""))
	// A wrong HOOKRELAY_ENCRYPTION_KEY was refused by Open
	// (encrypted.Seal); an endpoint another key sealed is listed as stored.
	endpoints, err := st.ListEndpoints(ctx, store.EndpointFilter{})
	if err != nil {
		return fmt.Errorf("read endpoints: %w", err)
	}
	logConfigEndpointsKept(logger, cfg.EndpointURLs, endpoints)
	if err := syncConfigEndpoints(ctx, parts.Service, cfg.EndpointURLs, cfg.EndpointSecret, logger); err != nil {
		return err
	}

	// The normalised HOOKRELAY_PUBLIC_URL (Validate refused a bad one):
	// its lower-cased scheme decides the portal's cookie.
	publicURL, publicHTTPS, err := cfg.PublicBase()
	if err != nil {
		return config.EnvError(err)
	}
	handler := http.NewServeMux()
	// One limiter for every credential check: API tokens and sign-ins.
	limiter := authlimit.New(time.Now)
	handler.Handle("/", api.New(api.Options{
		Limiter:         limiter,
		Store:           st,
		Service:         parts.Service,
		Logger:          logger,
		Token:           cfg.APIToken,
		MaxPayloadBytes: cfg.MaxPayloadBytes,
		Metrics:         metrics.Handler(registry),
		TracerProvider:  tp.TracerProvider,
		PublicURL:       publicURL,
	}))
	handler.Handle("/ui/", ui.New(ui.Options{
		Limiter:         limiter,
		Service:         parts.Service,
		Logger:          logger,
		Token:           cfg.APIToken,
		MaxPayloadBytes: cfg.MaxPayloadBytes,
		EndpointLimits:  parts.Limits,
	}))
	handler.Handle("GET /ui", http.RedirectHandler("/ui/", http.StatusMovedPermanently))
	portal, err := ui.NewPortal(ui.PortalOptions{
		Service:        parts.Service,
		Logger:         logger,
		FrameAncestors: cfg.PortalFrameAncestors,
		HTTPS:          publicHTTPS,
		Title:          cfg.PortalTitle,
		Color:          cfg.PortalColor,
	})
	if err != nil {
		return config.EnvError(err)
	}
	handler.Handle(ui.PortalPrefix, portal)
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
		slog.String("dashboard", DashboardURL(ln.Addr())), slog.String("worker", parts.WorkerName),
		slog.Int("concurrency", cfg.Concurrency), slog.String("endpoint_concurrency", endpointConcurrency(cfg)),
		slog.String("timeout", cfg.Timeout().String()), slog.Bool("dev", cfg.Dev))
	if cfg.Dev {
		fmt.Fprint(out, DevBanner(cfg, ln.Addr()))
	}

	if err := client.Start(ctx); err != nil {
		return err
	}

	var errs []error
	select {
	case <-ctx.Done():
		logger.Info("shutting down")
	case err := <-serveErr:
		errs = append(errs, fmt.Errorf("http server: %w", err))
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), parts.ShutdownTimeout+5*time.Second)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		errs = append(errs, fmt.Errorf("http server shutdown: %w", err))
	}
	// Stop waits for the workers' own shutdown, which their ShutdownTimeout
	// and write grace bound.
	if err := client.Stop(context.WithoutCancel(ctx)); err != nil {
		errs = append(errs, err)
	}
	logger.Info("stopped")
	return errors.Join(errs...)
}

// openError is an error of hookrelay.Open as serve's users know the
// settings: a *hookrelay.ConfigError names its environment variable
// (config.EnvError); any other failure is the database's (DATABASE_URL), its
// text without the library's "hookrelay: ", which the command line adds.
func openError(err error) error {
	if errors.As(err, new(*hookrelay.ConfigError)) {
		return config.EnvError(err)
	}
	return renamed{"DATABASE_URL: " + strings.TrimPrefix(err.Error(), "hookrelay: "), err}
}

// renamed is err with the text msg: the library's error as the command
// line words it.
type renamed struct {
	msg string
	err error
}

func (e renamed) Error() string { return e.msg }
func (e renamed) Unwrap() error { return e.err }

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

// logConfigEndpointsKept logs, when WEBHOOK_URLS (urls) lists no endpoint,
// how many endpoints of an earlier WEBHOOK_URLS the database holds: serve
// leaves them as they are (service.SyncConfigEndpoints), so that a process
// that configures no endpoints never disables those of one that does.
func logConfigEndpointsKept(logger *slog.Logger, urls []string, endpoints []store.Endpoint) {
	if slices.ContainsFunc(urls, func(u string) bool { return strings.TrimSpace(u) != "" }) {
		return
	}
	n := 0
	for _, e := range endpoints {
		if e.CreatedBy == store.ConfigSource {
			n++
		}
	}
	if n > 0 {
		logger.Info("WEBHOOK_URLS is not set: the endpoints it configured are left as they are", slog.Int("endpoints", n))
	}
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
	go repeat.Until(ctx, configSyncRetry, func() bool {
		err := sync()
		if err != nil && !store.Unavailable(err) {
			logger.Error("sync WEBHOOK_URLS failed", slog.String("error", err.Error()))
		}
		return err == nil
	})
	return nil
}

// endpointConcurrency describes the per-endpoint in-flight limit of cfg for
// the startup log: "adaptive, at most N" or "fixed N"
// (HOOKRELAY_ADAPTIVE_CONCURRENCY, HOOKRELAY_ENDPOINT_CONCURRENCY).
func endpointConcurrency(cfg config.Serve) string {
	if cfg.Adaptive {
		return fmt.Sprintf("adaptive, at most %d", cfg.EndpointInFlight)
	}
	return fmt.Sprintf("fixed %d", cfg.EndpointInFlight)
}
