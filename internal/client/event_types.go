package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/hookrelay/hookrelay/internal/api/wire"
)

// EventTypeFilter selects event types in ListEventTypes.
type EventTypeFilter struct {
	// Deprecated, when set, keeps only deprecated (true) or current (false)
	// types.
	Deprecated *bool
	Cursor     string // the NextCursor of the previous page
	Limit      int    // 0: the server's default
}

// CreateEventType adds a type to the catalog.
func (c *Client) CreateEventType(ctx context.Context, req wire.EventTypeCreate) (wire.EventType, error) {
	return call[wire.EventType](ctx, c, http.MethodPost, "/v1/event-types", nil, req)
}

// ListEventTypes returns one page of the catalog, by name.
func (c *Client) ListEventTypes(ctx context.Context, f EventTypeFilter) (wire.EventTypeList, error) {
	q := url.Values{}
	if f.Deprecated != nil {
		q.Set("deprecated", strconv.FormatBool(*f.Deprecated))
	}
	setString(q, "cursor", f.Cursor)
	setID(q, "limit", int64(f.Limit))
	return call[wire.EventTypeList](ctx, c, http.MethodGet, "/v1/event-types", q, nil)
}

// GetEventType returns one catalogued type.
func (c *Client) GetEventType(ctx context.Context, name string) (wire.EventType, error) {
	return call[wire.EventType](ctx, c, http.MethodGet, eventTypePath(name), nil, nil)
}

// UpdateEventType changes the fields set in req.
func (c *Client) UpdateEventType(ctx context.Context, name string, req wire.EventTypeUpdate) (wire.EventType, error) {
	return call[wire.EventType](ctx, c, http.MethodPatch, eventTypePath(name), nil, req)
}

// DeleteEventType removes a type from the catalog; its events are kept.
func (c *Client) DeleteEventType(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodDelete, eventTypePath(name), nil, nil, nil)
}

// eventTypePath is the path of one type, its name escaped (a "/" in it
// as %2F).
func eventTypePath(name string) string {
	return "/v1/event-types/" + url.PathEscape(name)
}
