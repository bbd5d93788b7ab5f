package postgres

import (
	"context"
	"fmt"

	"github.com/hookrelay/hookrelay/internal/store"
)

// CountDeliveries counts the deliveries created in the window of r per
// endpoint (or all together), bucket and status in one GROUP BY statement.
// A bucket is the whole microseconds from r.Start to created_at divided by
// r.Step.
func (s *Store) CountDeliveries(ctx context.Context, r store.DeliveryCountRequest) ([]store.DeliveryCount, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	endpoint, only := `0::bigint`, ``
	args := []any{r.Start, r.Step.Microseconds(), r.End()}
	if len(r.EndpointIDs) > 0 {
		endpoint, only = `d.webhook_id`, `AND d.webhook_id = ANY ($4::bigint[])`
		args = append(args, r.EndpointIDs)
	}
	q := `
		SELECT ` + endpoint + `,
		       ((extract(epoch FROM d.created_at - $1::timestamptz) * 1000000)::bigint / $2::bigint)::int,
		       d.status, count(*)
		FROM webhook_deliveries d
		WHERE d.created_at >= $1 AND d.created_at < $3 ` + only + `
		GROUP BY 1, 2, 3
		ORDER BY 1, 2, 3`
	rows, err := s.pool.Query(ctx, q, args...)
	counts, err := queryAll(rows, err, func(c *store.DeliveryCount) []any {
		return []any{&c.EndpointID, &c.Bucket, &c.Status, &c.Count}
	})
	if err != nil {
		return nil, fmt.Errorf("count deliveries per bucket: %w", err)
	}
	return counts, nil
}
