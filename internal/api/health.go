package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/hookrelay/hookrelay/internal/api/wire"
)

// readyTimeout bounds the database checks of /readyz.
const readyTimeout = 5 * time.Second

// healthz answers 200 while the process serves requests.
func (s *server) healthz(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, wire.Health{Status: "ok"})
	return nil
}

// readyz answers 200 when the database answers, its migrations are current
// and it takes writes (a write probe, at most one per writeProbeEvery), 503
// otherwise. The cause is logged, not shown: the route is public.
func (s *server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.logger.WarnContext(ctx, "not ready: database does not answer", slog.Any("error", err))
		return newError(http.StatusServiceUnavailable, codeNotReady, "database is not reachable")
	}
	current, err := s.store.MigrationsCurrent(ctx)
	if err != nil {
		s.logger.WarnContext(ctx, "not ready: cannot read migrations", slog.Any("error", err))
		return newError(http.StatusServiceUnavailable, codeNotReady, "database migrations cannot be read")
	}
	if !current {
		return newError(http.StatusServiceUnavailable, codeNotReady, "database migrations are not current; run hookrelay migrate")
	}
	if err := s.writable.result(ctx); err != nil {
		s.logger.WarnContext(ctx, "not ready: database does not take writes", slog.Any("error", err))
		return newError(http.StatusServiceUnavailable, codeNotReady, "database does not take writes (read-only, full or failing)")
	}
	writeJSON(w, http.StatusOK, wire.Health{Status: "ready"})
	return nil
}

// serveMetrics hands GET /metrics to the metrics handler, when there is one.
func (s *server) serveMetrics(w http.ResponseWriter, r *http.Request) error {
	if s.metrics == nil {
		return newError(http.StatusNotFound, codeNotFound, "metrics are not enabled on this server")
	}
	s.metrics.ServeHTTP(w, r)
	return nil
}
