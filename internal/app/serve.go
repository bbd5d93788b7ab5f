// Package app wires hookrelay's parts into the programs that the CLI runs:
// the service (store, workers, HTTP API) and the one-shot commands that work
// on the database directly.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/hookrelay/hookrelay/internal/config"
	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/storeopen"
)

// OpenStore opens and migrates the store that DATABASE_URL names.
func OpenStore(ctx context.Context, db config.Database) (store.Store, error) {
	st, err := storeopen.Open(ctx, db.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("DATABASE_URL: migrate: %w", err)
	}
	return st, nil
}

// Serve runs the service until ctx ends, then shuts it down gracefully.
func Serve(ctx context.Context, cfg config.Serve, logger *slog.Logger) error {
	st, err := OpenStore(ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer st.Close()
	kind, _, _ := storeopen.Parse(cfg.DatabaseURL)
	logger.Info("store ready", slog.String("store", string(kind)))

	urls := make([]string, 0, len(cfg.WebhookURLs))
	for _, u := range cfg.WebhookURLs {
		if u = strings.TrimSpace(u); u != "" {
			urls = append(urls, u)
		}
	}
	if err := st.SyncConfigEndpoints(ctx, urls, cfg.WebhookSecret); err != nil {
		return fmt.Errorf("WEBHOOK_URLS: sync endpoints: %w", err)
	}
	if len(urls) > 0 {
		logger.Info("endpoints synced from WEBHOOK_URLS", slog.Int("endpoints", len(urls)))
	}

	worker := NewWorker(st, cfg.Delivery, logger, nil)
	logger.Info("delivery workers started", slog.String("worker", worker.Name()),
		slog.Int("concurrency", cfg.Concurrency), slog.Duration("timeout", cfg.Timeout()))
	err = worker.Run(ctx)
	logger.Info("stopped")
	return err
}

// NewWorker builds a delivery worker from the delivery settings.
func NewWorker(st store.Store, cfg config.Delivery, logger *slog.Logger, observer delivery.Observer) *delivery.Worker {
	sender := delivery.NewSender(delivery.SenderOptions{
		Timeout:        cfg.Timeout(),
		MaxIdlePerHost: cfg.EndpointInFlight,
		AllowPrivate:   cfg.AllowPrivate,
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
		Retention:        cfg.Retention,
		Logger:           logger,
		Observer:         observer,
	})
}
