package hookrelay

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// maintainerTurn is the store as the client's maintainer sees it: it
// remembers whether the maintainer holds the maintainership, so that the
// client can say when it stops maintaining. The maintainer holds it from a
// TryMaintain that wins until its next TryMaintain (which it calls only once
// it has lost it) or the end of its Run (which releases it).
type maintainerTurn struct {
	store.Store
	holding atomic.Bool
}

// TryMaintain is the store's, noting whether it won.
func (m *maintainerTurn) TryMaintain(ctx context.Context, holder string, ttl time.Duration) (store.Maintainership, bool, error) {
	held, ok, err := m.Store.TryMaintain(ctx, holder, ttl)
	m.holding.Store(ok)
	return held, ok, err
}

// ended logs, once the maintainer's Run has returned, that this process
// stopped maintaining the store, when it held the maintainership until then
// (the maintainer logs "maintaining the store" when it starts, and
// "maintainership lost" when it loses it on the way).
func (m *maintainerTurn) ended(logger *slog.Logger, name string) {
	if m.holding.Load() {
		logger.Info("stopped maintaining the store", slog.String("maintainer", name))
	}
}
