package store

import "context"

// RetentionBatch is the most rows that one statement of
// DeleteFinishedBefore deletes: it deletes in batches, each in a
// transaction of its own, so that it never holds a lock (SQLite's one
// writer, PostgreSQL's row locks) for long, however much there is to delete.
const RetentionBatch = 1000

// DeleteInBatches runs batch, which deletes up to RetentionBatch finished
// deliveries and up to as many events left without deliveries in one
// transaction and returns how many of each it deleted, until a batch
// deletes fewer than RetentionBatch of both, or ctx ends. It returns the
// deliveries deleted. Stores implement DeleteFinishedBefore with it.
func DeleteInBatches(ctx context.Context, batch func(ctx context.Context) (deliveries, events int64, err error)) (int64, error) {
	var total int64
	for {
		deliveries, events, err := batch(ctx)
		total += deliveries
		if err != nil {
			return total, err
		}
		if deliveries < RetentionBatch && events < RetentionBatch {
			return total, nil
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}
