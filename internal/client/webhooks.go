package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/hookrelay/hookrelay/internal/api/wire"
)

// EndpointFilter selects endpoints in ListEndpoints.
type EndpointFilter struct {
	Active   *bool
	TenantID string // only this tenant's endpoints; "" for all
	Cursor   int64  // the NextCursor of the previous page
	Limit    int    // 0: the server's default
}

// CreateEndpoint creates an endpoint; the answer shows its secret in full.
func (c *Client) CreateEndpoint(ctx context.Context, req wire.EndpointCreate) (wire.Endpoint, error) {
	return call[wire.Endpoint](ctx, c, http.MethodPost, "/v1/webhooks", nil, req)
}

// ListEndpoints returns one page of endpoints.
func (c *Client) ListEndpoints(ctx context.Context, f EndpointFilter) (wire.EndpointList, error) {
	q := url.Values{}
	if f.Active != nil {
		q.Set("active", strconv.FormatBool(*f.Active))
	}
	setString(q, "tenant_id", f.TenantID)
	setID(q, "cursor", f.Cursor)
	setID(q, "limit", int64(f.Limit))
	return call[wire.EndpointList](ctx, c, http.MethodGet, "/v1/webhooks", q, nil)
}

// GetEndpoint returns one endpoint.
func (c *Client) GetEndpoint(ctx context.Context, id int64) (wire.Endpoint, error) {
	return c.endpoint(ctx, http.MethodGet, id, "", nil)
}

// UpdateEndpoint changes the fields set in req.
func (c *Client) UpdateEndpoint(ctx context.Context, id int64, req wire.EndpointUpdate) (wire.Endpoint, error) {
	return c.endpoint(ctx, http.MethodPatch, id, "", req)
}

// DeleteEndpoint deletes an endpoint and its deliveries.
func (c *Client) DeleteEndpoint(ctx context.Context, id int64) error {
	err := c.do(ctx, http.MethodDelete, endpointPath(id, ""), nil, nil, nil)
	return err
}

// EnableEndpoint activates an endpoint and resets its failure record.
func (c *Client) EnableEndpoint(ctx context.Context, id int64) (wire.Endpoint, error) {
	return c.endpoint(ctx, http.MethodPost, id, "/enable", nil)
}

// DisableEndpoint deactivates an endpoint; reason "" means "disabled by API".
func (c *Client) DisableEndpoint(ctx context.Context, id int64, reason string) (wire.Endpoint, error) {
	return c.endpoint(ctx, http.MethodPost, id, "/disable", wire.DisableRequest{Reason: reason})
}

// RotateSecret replaces an endpoint's secret with secret, or a generated one
// when it is ""; the answer shows the new secret in full.
func (c *Client) RotateSecret(ctx context.Context, id int64, secret string) (wire.Endpoint, error) {
	return c.endpoint(ctx, http.MethodPost, id, "/rotate-secret", wire.RotateSecretRequest{Secret: secret})
}

// PingEndpoint queues a webhook.ping event to one endpoint.
func (c *Client) PingEndpoint(ctx context.Context, id int64) (wire.PingResponse, error) {
	return call[wire.PingResponse](ctx, c, http.MethodPost, endpointPath(id, "/ping"), nil, nil)
}

// VerifyEndpoint sends an unverified endpoint a new verification challenge
// (the previous one no longer counts) and returns the endpoint.
func (c *Client) VerifyEndpoint(ctx context.Context, id int64) (wire.Endpoint, error) {
	return c.endpoint(ctx, http.MethodPost, id, "/verify", nil)
}

// webhook calls a route of one endpoint that answers with the endpoint.
func (c *Client) endpoint(ctx context.Context, method string, id int64, action string, body any) (wire.Endpoint, error) {
	return call[wire.Endpoint](ctx, c, method, endpointPath(id, action), nil, body)
}

func endpointPath(id int64, action string) string {
	return "/v1/webhooks/" + strconv.FormatInt(id, 10) + action
}

// setID sets a positive integer parameter; zero leaves it out.
func setID(q url.Values, name string, v int64) {
	if v != 0 {
		q.Set(name, strconv.FormatInt(v, 10))
	}
}
