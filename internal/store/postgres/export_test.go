package postgres

import (
	"context"

	"github.com/hookrelay/hookrelay/internal/store"
)

// WriteGroup writes pubs as one group of concurrent publishes, all with
// ctx, and returns each one's call.
func (s *Store) WriteGroup(ctx context.Context, pubs []store.Publication) []*publishCall {
	group := make([]*publishCall, len(pubs))
	for i, p := range pubs {
		group[i] = &publishCall{Ctx: ctx, Value: p}
	}
	s.publishGroup(group)
	return group
}
