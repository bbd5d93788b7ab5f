package app

import (
	"context"
	"log/slog"
	"os"
	"time"

	"go.opentelemetry.io/otel"

	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/tracing"
)

// tracingFlushTimeout bounds the export of the spans still buffered when
// serve stops.
const tracingFlushTimeout = 5 * time.Second

// startTracing sets up tracing from the OTEL_* variables (tracing.Setup)
// and, when they turn it on, makes its provider the global one (for
// instrumentation that reads it) and logs export failures through logger.
// It returns a no-op provider when tracing is off.
func startTracing(ctx context.Context, logger *slog.Logger) (tracing.Provider, error) {
	tp, err := tracing.Setup(ctx, os.Getenv, delivery.Version)
	if err != nil || !tp.Enabled {
		return tp, err
	}
	otel.SetTracerProvider(tp.TracerProvider)
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		logger.Warn("tracing failed", slog.String("error", err.Error()))
	}))
	logger.Info("tracing on", slog.Any("exporters", tp.Exporters))
	return tp, nil
}

// stopTracing flushes the spans of tp not yet exported, within
// tracingFlushTimeout.
func stopTracing(ctx context.Context, tp tracing.Provider, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tracingFlushTimeout)
	defer cancel()
	if err := tp.Shutdown(ctx); err != nil {
		logger.Warn("tracing: spans not all exported", slog.String("error", err.Error()))
	}
}
