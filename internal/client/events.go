package client

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/hookrelay/hookrelay/internal/api/wire"
)

// PublishEvent publishes an event, its data sent byte for byte as given.
// Created is false in the answer when the event's ID was published before.
func (c *Client) PublishEvent(ctx context.Context, req wire.PublishRequest) (wire.PublishResponse, error) {
	body, err := publishBody(req)
	if err != nil {
		return wire.PublishResponse{}, err
	}
	return call[wire.PublishResponse](ctx, c, http.MethodPost, "/v1/events", nil, rawBody(body))
}

// GetEvent returns an event and its deliveries.
func (c *Client) GetEvent(ctx context.Context, id string) (wire.EventDetail, error) {
	return call[wire.EventDetail](ctx, c, http.MethodGet, "/v1/events/"+url.PathEscape(id), nil, nil)
}

// PublishEvents publishes a batch of events (POST /v1/events/batch), 1 to
// 1,000, in one transaction. The answer has one result per event, in order;
// an event refused alone has its Error and Status there, and the call still
// succeeds. An error is returned only when the whole batch was refused or
// could not be sent.
func (c *Client) PublishEvents(ctx context.Context, req wire.PublishBatchRequest) (wire.PublishBatchResponse, error) {
	body, err := publishBatchBody(req)
	if err != nil {
		return wire.PublishBatchResponse{}, err
	}
	return call[wire.PublishBatchResponse](ctx, c, http.MethodPost, "/v1/events/batch", nil, rawBody(body))
}

// EventFilter selects events in ListEvents; zero fields match all.
type EventFilter struct {
	Type          string    // exact event type
	TenantID      string    // only this tenant's events
	CreatedAfter  time.Time // created at or after
	CreatedBefore time.Time // created before
	Cursor        string    // the NextCursor of the previous page
	Limit         int       // 0: the server's default
}

// ListEvents returns one page of events, newest first (GET /v1/events).
func (c *Client) ListEvents(ctx context.Context, f EventFilter) (wire.EventList, error) {
	q := url.Values{}
	setString(q, "type", f.Type)
	setString(q, "tenant_id", f.TenantID)
	setCreated(q, f.CreatedAfter, f.CreatedBefore)
	setString(q, "cursor", f.Cursor)
	setID(q, "limit", int64(f.Limit))
	return call[wire.EventList](ctx, c, http.MethodGet, "/v1/events", q, nil)
}
