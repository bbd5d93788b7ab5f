package store_test

import (
	"context"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
)

func TestDeleteInBatches(t *testing.T) {
	// Full batches of deliveries or of events ask for another batch; the
	// first batch short of both ends it.
	batches := [][2]int64{{store.RetentionBatch, 0}, {3, store.RetentionBatch}, {2, 5}, {99, 99}}
	calls := 0
	total, err := store.DeleteInBatches(context.Background(), func(context.Context) (int64, int64, error) {
		b := batches[calls]
		calls++
		return b[0], b[1], nil
	})
	if err != nil || calls != 3 || total != store.RetentionBatch+5 {
		t.Errorf("%d batches, %d deleted, %v; want 3 batches and %d", calls, total, err, store.RetentionBatch+5)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls = 0
	if _, err := store.DeleteInBatches(ctx, func(context.Context) (int64, int64, error) {
		calls++
		return store.RetentionBatch, 0, nil
	}); err == nil || calls != 1 {
		t.Errorf("with an ended context: %d batches, %v; want 1 and its error", calls, err)
	}
}
