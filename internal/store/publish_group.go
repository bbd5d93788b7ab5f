package store

import (
	"context"
	"fmt"

	"github.com/hookrelay/hookrelay/internal/groupcommit"
)

// MaxPublishGroup is the most publishes one group transaction of a store
// takes (group commit, see PublishGrouped).
const MaxPublishGroup = 128

// PublishCall is one Publish waiting for its group in a store's queue of
// publishes.
type PublishCall = groupcommit.Call[Publication, PublishResult]

// PublishQueue is a store's group commit of publishes: the publishes that
// arrive while a group transaction runs are written together by the next.
type PublishQueue = groupcommit.Queue[Publication, PublishResult]

// PublishGrouped is a store's Publish: it queues ev with opts on queue and
// returns once its group has written it (or failed it), or ctx ended while
// it waited. Errors are wrapped as "publish event: …".
func PublishGrouped(ctx context.Context, queue *PublishQueue, ev Event, opts PublishOptions) (PublishResult, error) {
	res, err := queue.Do(ctx, Publication{Event: ev, Options: opts})
	if err != nil {
		return PublishResult{}, fmt.Errorf("publish event: %w", err)
	}
	return res, nil
}
