package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/hookrelay/hookrelay/internal/api/wire"
)

// PublishEvent publishes an event. Created is false in the answer when the
// event's ID was published before.
func (c *Client) PublishEvent(ctx context.Context, req wire.PublishRequest) (wire.PublishResponse, error) {
	var out wire.PublishResponse
	err := c.do(ctx, http.MethodPost, "/v1/events", nil, req, &out)
	return out, err
}

// GetEvent returns an event and its deliveries.
func (c *Client) GetEvent(ctx context.Context, id string) (wire.EventDetail, error) {
	var out wire.EventDetail
	err := c.do(ctx, http.MethodGet, "/v1/events/"+url.PathEscape(id), nil, nil, &out)
	return out, err
}
