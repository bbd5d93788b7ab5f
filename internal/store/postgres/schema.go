package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5"
)

// CreateSchema creates a schema with a fresh name that starts with prefix in
// the database at databaseURL, and returns a URL whose connections use it
// (search_path) and a function that drops it with everything in it. Tests and
// the benchmark use it to work apart from each other and from real data.
func CreateSchema(ctx context.Context, databaseURL, prefix string) (schemaURL string, drop func(context.Context) error, err error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", nil, fmt.Errorf("parse PostgreSQL URL: %w", err)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema := prefix + hex.EncodeToString(b[:])
	if err := execOnce(ctx, databaseURL, "CREATE SCHEMA "+schema); err != nil {
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	drop = func(ctx context.Context) error {
		if err := execOnce(ctx, databaseURL, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			return fmt.Errorf("drop schema %s: %w", schema, err)
		}
		return nil
	}
	return u.String(), drop, nil
}

// execOnce runs one statement on a connection of its own, so that it does
// not depend on any pool still being open.
func execOnce(ctx context.Context, databaseURL, statement string) error {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, statement)
	return err
}
