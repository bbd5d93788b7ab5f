package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hookrelay/hookrelay/internal/groupcommit"
	"github.com/hookrelay/hookrelay/internal/store"
)

// publishWriters is how many group transactions run at once: while one waits
// on its round trips and its commit, the next group is written, so that
// publishing is not bound by one connection's latency.
const publishWriters = 4

// newStore returns a store on pool.
func newStore(pool *pgxpool.Pool) *Store {
	s := &Store{pool: pool}
	s.publishes = groupcommit.New(store.MaxPublishGroup, publishWriters, s.publishGroup)
	return s
}

// Publish records ev and its deliveries atomically (see PublishTx) and
// returns once they are committed.
//
// Concurrent publishes share transactions (group commit): while group
// transactions run (publishWriters at most), the publishes that arrive queue
// up, and the next transaction writes them all as one PublishMany does (a few statements and
// one NOTIFY for the whole group), so that one commit serves many. An invalid
// event fails alone; when the group's transaction fails, each of its
// publishes is tried again in a transaction of its own, so that one bad row
// never fails the others. A publish whose ctx ends while it waits is not
// written, unless its group has started it.
func (s *Store) Publish(ctx context.Context, ev store.Event, opts store.PublishOptions) (store.PublishResult, error) {
	return store.PublishGrouped(ctx, s.publishes, ev, opts)
}

// publishGroup writes the calls of group whose ctx has not ended in one
// transaction, or each in its own when that fails. The transaction runs
// while any of the calls still waits for it.
func (s *Store) publishGroup(group []*store.PublishCall) {
	live := make([]*store.PublishCall, 0, len(group))
	pubs := make([]store.Publication, 0, len(group))
	for _, call := range group {
		if err := call.Ctx.Err(); err != nil {
			call.Err = err
			continue
		}
		live = append(live, call)
		pubs = append(pubs, call.Value)
	}
	if len(live) == 0 {
		return
	}
	ctx, cancel := groupcommit.Context(live)
	defer cancel()
	var results []store.PublicationResult
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		results, err = publishMany(ctx, tx, pubs)
		return err
	})
	if err == nil {
		for i, call := range live {
			call.Result, call.Err = results[i].PublishResult, results[i].Err
		}
		return
	}
	for _, call := range live {
		call.Result, call.Err = s.publishAlone(call.Ctx, call.Value)
	}
}

// publishAlone publishes p in a transaction of its own.
func (s *Store) publishAlone(ctx context.Context, p store.Publication) (store.PublishResult, error) {
	var res store.PublishResult
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		res, err = publish(ctx, tx, p.Event, p.Options)
		return err
	})
	return res, err
}
