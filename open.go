package hookrelay

import (
	"context"
	"fmt"

	"github.com/hookrelay/hookrelay/internal/store/storeopen"
)

// Open opens the database that databaseURL names and returns a client that
// owns it: Close closes it. databaseURL is what `hookrelay serve` takes as
// DATABASE_URL: a postgres:// URL or a keyword/value string (host=… user=…)
// for PostgreSQL; a file path, sqlite:PATH or file:PATH for SQLite (the file
// is created when missing, its folder must exist). Any other scheme is
// refused with an error that matches ErrInvalid. The schema is migrated
// unless cfg.SkipMigrate; cfg is checked as Config.Validate does.
//
// Open suits a program that only runs workers, manages endpoints or
// publishes with PublishNow; to publish in the application's own
// transactions, use NewPostgres or NewSQLite on the application's pool or
// database.
func Open(ctx context.Context, databaseURL string, cfg Config) (*Client, error) {
	kind, _, err := storeopen.Parse(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("hookrelay: Open: %w: %w", ErrInvalid, err)
	}
	st, err := storeopen.Open(ctx, databaseURL)
	if err != nil {
		return nil, fmt.Errorf("hookrelay: open database: %w", err)
	}
	publishTx, publishManyTx := publishPgx, publishManyPgx
	if kind == storeopen.SQLite {
		publishTx, publishManyTx = publishSQL, publishManySQL
	}
	c, err := newClient(ctx, st, publishTx, publishManyTx, []Option{WithConfig(cfg)})
	if err != nil {
		st.Close()
		return nil, err
	}
	c.closeStore = st.Close
	return c, nil
}
