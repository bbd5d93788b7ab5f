package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// TryMaintain takes the maintainer's lease, the one row of
// hookrelay_maintainer, when it is free or has expired: every process on the
// file (serve, an application using the library, on one machine and so one
// clock) sees the same row, and a write transaction decides between them.
// The holder renews the lease to now + ttl every ttl/3; when a renewal
// fails, or finds the lease taken, the maintainership is lost. A holder that
// dies keeps others waiting until its lease expires, at most ttl. Releasing
// deletes the row.
func (s *Store) TryMaintain(ctx context.Context, holder string, ttl time.Duration) (store.Maintainership, bool, error) {
	if ttl <= 0 {
		return store.Maintainership{}, false, errors.New("try to maintain: the lease must last")
	}
	token := rand.Text()
	const take = `
		INSERT INTO hookrelay_maintainer (id, holder, token, expires_at)
		VALUES (1, :holder, :token, :expires)
		ON CONFLICT (id) DO UPDATE SET
			holder = excluded.holder, token = excluded.token, expires_at = excluded.expires_at
		WHERE hookrelay_maintainer.expires_at <= :now`
	now := time.Now()
	n, err := s.exec(ctx, take, sql.Named("holder", holder), sql.Named("token", token),
		sql.Named("expires", micros(now.Add(ttl))), sql.Named("now", micros(now)))
	if err != nil {
		return store.Maintainership{}, false, fmt.Errorf("try to maintain: %w", err)
	}
	if n == 0 {
		return store.Maintainership{}, false, nil
	}
	renew := func(ctx context.Context) error {
		const q = `UPDATE hookrelay_maintainer SET expires_at = ? WHERE id = 1 AND token = ?`
		n, err := s.exec(ctx, q, micros(time.Now().Add(ttl)), token)
		if err == nil && n == 0 {
			err = errors.New("another process took the maintainer's lease")
		}
		return err
	}
	giveUp := func(ctx context.Context) error {
		_, err := s.exec(ctx, `DELETE FROM hookrelay_maintainer WHERE id = 1 AND token = ?`, token)
		return err
	}
	return store.HoldMaintainership(ctx, ttl, renew, giveUp), true, nil
}
