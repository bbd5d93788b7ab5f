package postgres

import (
	"context"

	"github.com/hookrelay/hookrelay/internal/store"
)

// WriteGroup writes pubs as one group of concurrent publishes, all with
// ctx, and returns each one's call.
func (s *Store) WriteGroup(ctx context.Context, pubs []store.Publication) []*store.PublishCall {
	group := make([]*store.PublishCall, len(pubs))
	for i, p := range pubs {
		group[i] = &store.PublishCall{Ctx: ctx, Value: p}
	}
	s.publishGroup(group)
	return group
}
