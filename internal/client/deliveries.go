package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hookrelay/hookrelay/internal/api/wire"
)

// DeliveryFilter selects deliveries in ListDeliveries; zero fields match all.
type DeliveryFilter struct {
	EndpointID    int64
	Status        string
	EventType     string
	EventID       string
	TenantID      string // only the deliveries of this tenant's endpoints
	CreatedAfter  time.Time
	CreatedBefore time.Time
	Cursor        int64 // the NextCursor of the previous page
	Limit         int   // 0: the server's default
}

// ListDeliveries returns one page of deliveries, newest first.
func (c *Client) ListDeliveries(ctx context.Context, f DeliveryFilter) (wire.DeliveryList, error) {
	q := url.Values{}
	setID(q, "webhook_id", f.EndpointID)
	setString(q, "status", f.Status)
	setString(q, "event_type", f.EventType)
	setString(q, "event_id", f.EventID)
	setString(q, "tenant_id", f.TenantID)
	setCreated(q, f.CreatedAfter, f.CreatedBefore)
	setID(q, "cursor", f.Cursor)
	setID(q, "limit", int64(f.Limit))
	return call[wire.DeliveryList](ctx, c, http.MethodGet, "/v1/deliveries", q, nil)
}

// GetDelivery returns a delivery with its request, response and attempts.
func (c *Client) GetDelivery(ctx context.Context, id int64) (wire.DeliveryDetail, error) {
	return call[wire.DeliveryDetail](ctx, c, http.MethodGet, deliveryPath(id, ""), nil, nil)
}

// RetryDelivery makes a failed, cancelled or pending delivery due now.
func (c *Client) RetryDelivery(ctx context.Context, id int64) (wire.Delivery, error) {
	return call[wire.Delivery](ctx, c, http.MethodPost, deliveryPath(id, "/retry"), nil, nil)
}

// CancelDelivery cancels a pending or processing delivery.
func (c *Client) CancelDelivery(ctx context.Context, id int64) (wire.Delivery, error) {
	return call[wire.Delivery](ctx, c, http.MethodPost, deliveryPath(id, "/cancel"), nil, nil)
}

// ReplayDeliveries makes every failed or cancelled delivery matching req due
// now and returns how many.
func (c *Client) ReplayDeliveries(ctx context.Context, req wire.ReplayRequest) (int, error) {
	out, err := call[wire.ReplayResponse](ctx, c, http.MethodPost, "/v1/deliveries/replay", nil, req)
	return out.Replayed, err
}

func deliveryPath(id int64, action string) string {
	return "/v1/deliveries/" + strconv.FormatInt(id, 10) + action
}

func setString(q url.Values, name, v string) {
	if v != "" {
		q.Set(name, v)
	}
}

// setCreated sets the window of creation times that a list selects
// (created_after, created_before); a zero bound leaves its side open.
func setCreated(q url.Values, after, before time.Time) {
	for name, t := range map[string]time.Time{"created_after": after, "created_before": before} {
		if !t.IsZero() {
			q.Set(name, t.Format(time.RFC3339Nano))
		}
	}
}
