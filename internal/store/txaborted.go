package store

import (
	"context"
	"errors"
	"time"
)

// ErrTxAborted reports that the application's transaction, in which a
// write was asked, cannot be used any more and must be rolled back: it was
// aborted by an earlier failed statement (PostgreSQL's SQLSTATE 25P02), or
// a write that failed could not be undone to its savepoint (the connection
// broke, SQLite rolled the transaction back by itself), so that part of the
// write may still be in it. Committing it could keep half of the write.
var ErrTxAborted = errors.New("the transaction must be rolled back")

// undoTimeout bounds the statements of UndoContext.
const undoTimeout = 5 * time.Second

// UndoContext returns the context of the statements that end a savepoint
// (ROLLBACK TO, RELEASE) after the writes in it: ctx's values without its
// cancellation, so that a ctx that ended during the writes does not leave
// them half done in the transaction, bounded by a deadline of a few seconds
// so that a dead connection does not hold the caller forever.
func UndoContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), undoTimeout)
}
