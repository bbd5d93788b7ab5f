package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// MaintainerLockKey is the first key of the session advisory lock that the
// maintainer of a hookrelay schema holds (0x686b726c, "hkrl" in ASCII). The
// second key is the OID of the schema's webhook_deliveries table, so that
// hookrelay installations in several schemas of one database each have a
// maintainer of their own. An operator finds the maintainer with
//
//	SELECT pid FROM pg_locks
//	WHERE locktype = 'advisory' AND classid = 1751872108
//	  AND objid = 'webhook_deliveries'::regclass::oid AND objsubid = 2;
const MaintainerLockKey int32 = 0x686b726c

// lockArgs is the key pair of the maintainer's lock in SQL, $1 being
// MaintainerLockKey.
const lockArgs = `$1::int4, 'webhook_deliveries'::regclass::oid::int4`

// TryMaintain takes the maintainer's session advisory lock
// (pg_try_advisory_lock, see MaintainerLockKey) on a connection of the pool
// that it keeps for itself while it holds the lock. It pings that
// connection every ttl/3: when the connection dies (the server ended the
// session, the network failed), PostgreSQL has released the lock, and the
// maintainership is lost. Releasing unlocks and returns the connection to
// the pool, or closes it when the unlock fails.
func (s *Store) TryMaintain(ctx context.Context, holder string, ttl time.Duration) (store.Maintainership, bool, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return store.Maintainership{}, false, fmt.Errorf("try to maintain: %w", err)
	}
	var locked bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(`+lockArgs+`)`, MaintainerLockKey).Scan(&locked); err != nil {
		conn.Release()
		return store.Maintainership{}, false, fmt.Errorf("try to maintain: %w", err)
	}
	if !locked {
		conn.Release()
		return store.Maintainership{}, false, nil
	}
	giveUp := func(ctx context.Context) error {
		defer conn.Release()
		var unlocked bool
		err := conn.QueryRow(ctx, `SELECT pg_advisory_unlock(`+lockArgs+`)`, MaintainerLockKey).Scan(&unlocked)
		if err == nil && !unlocked {
			err = errors.New("the lock was not held")
		}
		if err != nil {
			// Ending the session releases the lock whatever happened; the
			// pool then drops the closed connection.
			return errors.Join(fmt.Errorf("unlock: %w", err), conn.Conn().Close(ctx))
		}
		return nil
	}
	return store.HoldMaintainership(ctx, ttl, conn.Ping, giveUp), true, nil
}
