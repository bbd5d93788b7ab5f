// Command ackify is an example application in the style of Ackify: a tiny
// HTTP service that stores documents and their read confirmations
// (signatures) in PostgreSQL, and announces every write with a webhook
// published by the hookrelay library in the same transaction as the write.
// The event exists if and only if the write commits. The delivery workers run
// in the same process.
//
//	DATABASE_URL=postgres://... go run ./examples/ackify [-listen 127.0.0.1:8090] [-allow-private-webhooks]
//
// See README.md for a walk through it with `hookrelay listen`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hookrelay/hookrelay"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8090", "address of the HTTP service")
	allowPrivate := flag.Bool("allow-private-webhooks", false, "let webhooks reach loopback and private addresses (local testing)")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts := []hookrelay.Option{hookrelay.WithLogger(logger)}
	if *allowPrivate {
		opts = append(opts, hookrelay.WithAllowPrivateTargets())
	}
	if err := run(ctx, os.Getenv("DATABASE_URL"), *listen, logger, opts...); err != nil {
		logger.Error("ackify stopped", slog.String("error", err.Error()))
		os.Exit(1)
	}
}

// run serves the application on listen until ctx ends.
func run(ctx context.Context, databaseURL, listen string, logger *slog.Logger, opts ...hookrelay.Option) error {
	if databaseURL == "" {
		return errors.New("DATABASE_URL: set it to a postgres:// URL")
	}
	pool, err := pgxpool.New(ctx, databaseURL)
	if err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	defer pool.Close()
	a, err := newApp(ctx, pool, opts...)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	if err := a.hooks.Start(ctx); err != nil {
		return err
	}
	srv := &http.Server{Handler: a.routes(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logger.Info("ackify listening", slog.String("listen", ln.Addr().String()))

	select {
	case <-ctx.Done():
	case err = <-served:
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	return errors.Join(err, srv.Shutdown(shutdown), a.hooks.Stop(shutdown))
}
