package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hookrelay/hookrelay/internal/store"
)

// CountDeliveries counts the deliveries created in the window of r per
// endpoint (or all together), bucket and status in one GROUP BY statement
// on a read connection. A bucket is the microseconds from r.Start to
// created_at divided by r.Step.
func (s *Store) CountDeliveries(ctx context.Context, r store.DeliveryCountRequest) ([]store.DeliveryCount, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	var only any // NULL: every endpoint, counted together
	if len(r.EndpointIDs) > 0 {
		only = jsonText(r.EndpointIDs)
	}
	const q = `
		SELECT CASE WHEN :only IS NULL THEN 0 ELSE webhook_id END,
		       (created_at - :start) / :step,
		       status, count(*)
		FROM webhook_deliveries
		WHERE created_at >= :start AND created_at < :end
		  AND (:only IS NULL OR webhook_id IN (SELECT value FROM json_each(:only)))
		GROUP BY 1, 2, 3
		ORDER BY 1, 2, 3`
	rows, err := s.reads.QueryContext(ctx, q, sql.Named("only", only), sql.Named("start", micros(r.Start)),
		sql.Named("step", r.Step.Microseconds()), sql.Named("end", micros(r.End())))
	counts, err := queryAll(rows, err, func(c *store.DeliveryCount) []any {
		return []any{&c.EndpointID, &c.Bucket, &c.Status, &c.Count}
	})
	if err != nil {
		return nil, fmt.Errorf("count deliveries per bucket: %w", err)
	}
	return counts, nil
}
