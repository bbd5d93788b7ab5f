package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

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
//
// A publish with an ordering key that another transaction holds (an
// application's PublishTx not yet committed) waits for that transaction
// without stalling the others: group transactions only try the key locks
// (tryLockOrderingKeys), leave out the publishes whose key is busy, and those
// wait outside the writers, holding no connection, and queue again (after
// keyBusyWait, doubling up to keyBusyMaxWait) until their key is free. So a
// held key delays only publishes of that key, and each key's deliveries still
// get their IDs in commit order.
func (s *Store) Publish(ctx context.Context, ev store.Event, opts store.PublishOptions) (store.PublishResult, error) {
	wait := keyBusyWait
	for {
		res, err := s.publishes.Do(ctx, store.Publication{Event: ev, Options: opts})
		if !errors.Is(err, errKeyBusy) {
			if err != nil {
				return store.PublishResult{}, fmt.Errorf("publish event: %w", err)
			}
			return res, nil
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return store.PublishResult{}, fmt.Errorf("publish event: wait for ordering key: %w", ctx.Err())
		case <-timer.C:
		}
		wait = min(2*wait, keyBusyMaxWait)
	}
}

// keyBusyWait and keyBusyMaxWait bound how long a publish whose ordering key
// is held by another transaction waits before it is queued again.
const (
	keyBusyWait    = 5 * time.Millisecond
	keyBusyMaxWait = 100 * time.Millisecond
)

// errKeyBusy is the Err of a publish call left out of its group because
// another transaction holds its ordering key's lock; Publish queues it again.
var errKeyBusy = errors.New("ordering key held by another transaction")

// validKey returns the OrderingKey of ev, or "" when the key is invalid
// (store.ValidateOrderingKey: the publish then fails alone, without a lock).
func validKey(ev store.Event) string {
	if store.ValidateOrderingKey(ev.OrderingKey) != nil {
		return ""
	}
	return ev.OrderingKey
}

// tryLockOrderingKeys tries to take, for the rest of the transaction, the
// lock of each non-empty key of keys (the lock of lockOrderingKeys), without
// waiting, and returns the keys another transaction holds.
func tryLockOrderingKeys(ctx context.Context, q querier, keys []string) (busy map[string]bool, err error) {
	sorted := make([]string, 0, len(keys))
	for _, k := range keys {
		if k != "" {
			sorted = append(sorted, k)
		}
	}
	if len(sorted) == 0 {
		return nil, nil
	}
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	const try = `
		SELECT t.key FROM unnest($1::text[]) WITH ORDINALITY AS t (key, n)
		WHERE NOT pg_try_advisory_xact_lock(` + orderingKeyLock + `)
		ORDER BY t.n`
	rows, err := q.Query(ctx, try, sorted)
	if err != nil {
		return nil, fmt.Errorf("try ordering key locks: %w", err)
	}
	held, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("try ordering key locks: %w", err)
	}
	busy = make(map[string]bool, len(held))
	for _, k := range held {
		busy[k] = true
	}
	return busy, nil
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
	var free []*store.PublishCall
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		keys := make([]string, len(pubs))
		for i, p := range pubs {
			keys[i] = validKey(p.Event)
		}
		busy, err := tryLockOrderingKeys(ctx, tx, keys)
		if err != nil {
			return err
		}
		free = live
		if len(busy) > 0 {
			free, pubs = nil, pubs[:0:0]
			for _, call := range live {
				if busy[call.Value.Event.OrderingKey] {
					call.Err = errKeyBusy
					continue
				}
				free = append(free, call)
				pubs = append(pubs, call.Value)
			}
		}
		format, err := s.tenantFormatIn(ctx, tx)
		if err != nil {
			return err
		}
		results, err = publishMany(ctx, tx, pubs, format)
		return err
	})
	if err == nil {
		for i, call := range free {
			call.Result, call.Err = results[i].PublishResult, results[i].Err
		}
		return
	}
	for _, call := range live {
		call.Result, call.Err = s.publishAlone(call.Ctx, call.Value)
	}
}

// publishAlone publishes p in a transaction of its own, or returns
// errKeyBusy when another transaction holds its ordering key.
func (s *Store) publishAlone(ctx context.Context, p store.Publication) (store.PublishResult, error) {
	var res store.PublishResult
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		busy, err := tryLockOrderingKeys(ctx, tx, []string{validKey(p.Event)})
		if err != nil {
			return err
		}
		if len(busy) > 0 {
			return errKeyBusy
		}
		format, err := s.tenantFormatIn(ctx, tx)
		if err != nil {
			return err
		}
		res, err = publish(ctx, tx, p.Event, p.Options, format)
		return err
	})
	return res, err
}
