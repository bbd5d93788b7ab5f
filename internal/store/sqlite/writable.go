package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hookrelay/hookrelay/internal/store"
)

// CheckWritable commits store.WriteProbe in a write transaction of its own.
func (s *Store) CheckWritable(ctx context.Context) error {
	err := s.transact(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, store.WriteProbe)
		return err
	})
	if err != nil {
		return fmt.Errorf("check that SQLite takes writes: %w", err)
	}
	return nil
}
