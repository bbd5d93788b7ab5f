package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/hookrelay/hookrelay/internal/store"
)

// MaintainerLockKey is the first key of the session advisory lock that the
// maintainer of a hookrelay schema holds (0x686b726c, "hkrl" in ASCII). The
// second key is the OID of the schema's webhook_deliveries table, so that
// hookrelay installations in several schemas of one database each have a
// maintainer of their own. An operator finds the maintainer with
//
//	SELECT l.pid, a.application_name FROM pg_locks l
//	JOIN pg_stat_activity a USING (pid)
//	WHERE l.locktype = 'advisory' AND l.classid = 1751872108
//	  AND l.objid = 'webhook_deliveries'::regclass::oid AND l.objsubid = 2;
//
// or, by name, in pg_stat_activity: the connection's application_name is
// MaintainerApplicationName(holder).
const MaintainerLockKey int32 = 0x686b726c

// MaintainerApplicationName is the application_name of the connection that
// holds the maintainer's lock for holder (the worker's name): "hookrelay
// maintainer <holder>", cut to the 63 bytes PostgreSQL keeps (at a rune
// boundary).
func MaintainerApplicationName(holder string) string {
	name := "hookrelay maintainer " + holder
	for len(name) > 63 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}

// lockKeys is the key pair of the maintainer's lock in SQL, $1 being
// MaintainerLockKey.
const lockKeys = `$1::int4, 'webhook_deliveries'::regclass::oid::int4`

// TryMaintain takes the maintainer's session advisory lock
// (pg_try_advisory_lock, see MaintainerLockKey) on a connection that it
// takes out of the pool when it wins (pgxpool's Hijack: the pool opens
// another in its place when it needs one, and closing the pool never waits
// for it). It pings that connection every ttl/3: when the connection dies
// (the server ended the session, the network failed), PostgreSQL has
// released the lock, and the maintainership is lost. Releasing unlocks, so
// that the lock is free when Release returns, and closes the connection
// (which would release the lock too, but after Release returned).
func (s *Store) TryMaintain(ctx context.Context, holder string, ttl time.Duration) (store.Maintainership, bool, error) {
	pooled, err := s.pool.Acquire(ctx)
	if err != nil {
		return store.Maintainership{}, false, fmt.Errorf("try to maintain: %w", err)
	}
	var locked bool
	if err := pooled.QueryRow(ctx, `SELECT pg_try_advisory_lock(`+lockKeys+`)`, MaintainerLockKey).Scan(&locked); err != nil {
		pooled.Release()
		return store.Maintainership{}, false, fmt.Errorf("try to maintain: %w", err)
	}
	if !locked {
		pooled.Release()
		return store.Maintainership{}, false, nil
	}
	conn := pooled.Hijack()
	giveUp := func(ctx context.Context) error {
		_, err := conn.Exec(ctx, `SELECT pg_advisory_unlock(`+lockKeys+`)`, MaintainerLockKey)
		return errors.Join(err, conn.Close(ctx))
	}
	// The connection is the maintainer's alone from here on (it never goes
	// back to the pool), so its name tells pg_stat_activity who maintains.
	if _, err := conn.Exec(ctx, `SELECT set_config('application_name', $1, false)`, MaintainerApplicationName(holder)); err != nil {
		return store.Maintainership{}, false, errors.Join(fmt.Errorf("try to maintain: name the connection: %w", err), giveUp(context.WithoutCancel(ctx)))
	}
	return store.HoldMaintainership(ctx, ttl, conn.Ping, giveUp), true, nil
}
