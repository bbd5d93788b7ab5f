package hookrelay

import (
	"errors"
	"fmt"

	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
)

// Errors that callers decide on, with errors.Is.
var (
	// ErrInvalid reports an event or endpoint that breaks a rule; the error's
	// message names the field (each field at fault, one a line).
	ErrInvalid = service.ErrInvalid
	// ErrNotFound reports that no endpoint has the given ID.
	ErrNotFound = store.ErrNotFound
	// ErrConflict reports a change that the current state of the row
	// refuses: a new URL for an endpoint that `hookrelay serve` syncs from
	// WEBHOOK_URLS, enabling one that WEBHOOK_URLS has since dropped, a ping
	// of a disabled endpoint, a retry of a delivery in flight or delivered,
	// a cancel of a finished one. The message says why; the call may succeed
	// once the row has changed (the endpoint enabled, …).
	ErrConflict = store.ErrConflict
	// ErrUnavailable reports, from Publish and PublishNow, that the database
	// cannot take the event now: it is unreachable, read-only or full (a PostgreSQL connection error,
	// SQLSTATE 25006 or class 53; SQLITE_FULL, SQLITE_READONLY, …). Nothing
	// was written; the same call may succeed later.
	ErrUnavailable = store.ErrUnavailable
	// ErrTxAborted reports, from Publish, PublishMany and the …Tx methods,
	// that the application's transaction cannot be used any more and must
	// be rolled back, not committed: an earlier failed statement aborted it
	// (PostgreSQL), or the call failed (its context ended, the connection
	// broke) and what it had written could not be undone to its savepoint,
	// so that part of it may still be in the transaction.
	ErrTxAborted = store.ErrTxAborted
	// ErrRunning reports a Start or Run while the client's workers run.
	ErrRunning = errors.New("hookrelay: workers already running")
	// ErrNotRunning reports a Stop while the client's workers do not run.
	ErrNotRunning = errors.New("hookrelay: workers not running")
	// ErrClosed reports a Start or Run after Close: a closed client runs no
	// workers (its database may be closed); open a new one.
	ErrClosed = errors.New("hookrelay: client closed")
)

// public makes err, when the database cannot take the call, match
// ErrUnavailable, unless the transaction it ran in must be rolled back
// (ErrTxAborted: a new call needs a new transaction); a refusal of the
// store's (an explicit target of another tenant, written in the
// application's transaction) matches ErrInvalid as the service's
// validation errors do.
func public(err error) error {
	if store.Unavailable(err) && !errors.Is(err, store.ErrUnavailable) && !errors.Is(err, store.ErrTxAborted) {
		return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
	}
	return service.FromStore(err)
}
