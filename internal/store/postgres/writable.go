package postgres

import (
	"context"
	"fmt"

	"github.com/hookrelay/hookrelay/internal/store"
)

// CheckWritable commits store.WriteProbe in a transaction of its own.
func (s *Store) CheckWritable(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, store.WriteProbe); err != nil {
		return fmt.Errorf("check that PostgreSQL takes writes: %w", err)
	}
	return nil
}
