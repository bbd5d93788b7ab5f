package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hookrelay/hookrelay"
)

// schema is the application's own tables, beside which hookrelay keeps its own.
const schema = `
	CREATE TABLE IF NOT EXISTS documents (
		id               TEXT PRIMARY KEY,
		title            TEXT NOT NULL,
		expected_signers TEXT[] NOT NULL,
		created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
		completed_at     TIMESTAMPTZ
	);
	CREATE TABLE IF NOT EXISTS signatures (
		document_id TEXT NOT NULL REFERENCES documents (id),
		signer      TEXT NOT NULL,
		signed_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
		PRIMARY KEY (document_id, signer)
	)`

// app is the service: its database pool and the hookrelay client that
// shares it.
type app struct {
	pool  *pgxpool.Pool
	hooks *hookrelay.Client[pgx.Tx]
}

// newApp creates the application's tables and hookrelay's.
func newApp(ctx context.Context, pool *pgxpool.Pool, opts ...hookrelay.Option) (*app, error) {
	if _, err := pool.Exec(ctx, schema); err != nil {
		return nil, fmt.Errorf("create tables: %w", err)
	}
	hooks, err := hookrelay.NewPostgres(ctx, pool, opts...)
	if err != nil {
		return nil, err
	}
	return &app{pool: pool, hooks: hooks}, nil
}

// routes is the HTTP API of the service.
func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /documents", handler(a.createDocument))
	mux.Handle("GET /documents/{id}", handler(a.getDocument))
	mux.Handle("POST /documents/{id}/signatures", handler(a.signDocument))
	mux.Handle("GET /admin/webhooks", handler(a.listWebhooks))
	mux.Handle("POST /admin/webhooks", handler(a.createWebhook))
	mux.Handle("POST /admin/webhooks/{id}/disable", handler(a.disableWebhook))
	mux.Handle("POST /admin/webhooks/{id}/enable", handler(a.enableWebhook))
	return mux
}

// inTx runs fn in a transaction of the application's: its writes and the
// events it publishes commit together, or not at all.
func (a *app) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, a.pool, fn)
}

// publish announces a write in the write's own transaction.
func (a *app) publish(ctx context.Context, tx pgx.Tx, eventType string, data any) error {
	body, err := json.Marshal(data)
	if err != nil {
		return err
	}
	_, err = a.hooks.Publish(ctx, tx, hookrelay.Event{Type: eventType, Data: body})
	return err
}

// httpError is an error with the HTTP status that reports it.
type httpError struct {
	status  int
	message string
}

func (e *httpError) Error() string { return e.message }

func errorf(status int, format string, args ...any) error {
	return &httpError{status, fmt.Sprintf(format, args...)}
}

// handler answers a handler's error as JSON {"error": ...}.
func handler(h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		var he *httpError
		switch {
		case errors.As(err, &he):
		case errors.Is(err, hookrelay.ErrInvalid):
			he = &httpError{http.StatusUnprocessableEntity, err.Error()}
		case errors.Is(err, hookrelay.ErrNotFound):
			he = &httpError{http.StatusNotFound, err.Error()}
		default:
			he = &httpError{http.StatusInternalServerError, err.Error()}
		}
		writeJSON(w, he.status, map[string]string{"error": he.message})
	})
}

// decode reads a JSON request body into v.
func decode(r *http.Request, v any) error {
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20)).Decode(v); err != nil {
		return errorf(http.StatusBadRequest, "body: %v", err)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
