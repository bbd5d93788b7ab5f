package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/hookrelay/hookrelay/internal/api/wire"
)

// WebhookFilter selects endpoints in ListWebhooks.
type WebhookFilter struct {
	Active *bool
	Cursor int64 // the NextCursor of the previous page
	Limit  int   // 0: the server's default
}

// CreateWebhook creates an endpoint; the answer shows its secret in full.
func (c *Client) CreateWebhook(ctx context.Context, req wire.EndpointCreate) (wire.Endpoint, error) {
	var out wire.Endpoint
	err := c.do(ctx, http.MethodPost, "/v1/webhooks", nil, req, &out)
	return out, err
}

// ListWebhooks returns one page of endpoints.
func (c *Client) ListWebhooks(ctx context.Context, f WebhookFilter) (wire.EndpointList, error) {
	q := url.Values{}
	if f.Active != nil {
		q.Set("active", strconv.FormatBool(*f.Active))
	}
	setID(q, "cursor", f.Cursor)
	setID(q, "limit", int64(f.Limit))
	var out wire.EndpointList
	err := c.do(ctx, http.MethodGet, "/v1/webhooks", q, nil, &out)
	return out, err
}

// GetWebhook returns one endpoint.
func (c *Client) GetWebhook(ctx context.Context, id int64) (wire.Endpoint, error) {
	return c.webhook(ctx, http.MethodGet, id, "", nil)
}

// UpdateWebhook changes the fields set in req.
func (c *Client) UpdateWebhook(ctx context.Context, id int64, req wire.EndpointUpdate) (wire.Endpoint, error) {
	return c.webhook(ctx, http.MethodPatch, id, "", req)
}

// DeleteWebhook deletes an endpoint and its deliveries.
func (c *Client) DeleteWebhook(ctx context.Context, id int64) error {
	err := c.do(ctx, http.MethodDelete, webhookPath(id, ""), nil, nil, nil)
	return err
}

// EnableWebhook activates an endpoint and resets its failure record.
func (c *Client) EnableWebhook(ctx context.Context, id int64) (wire.Endpoint, error) {
	return c.webhook(ctx, http.MethodPost, id, "/enable", nil)
}

// DisableWebhook deactivates an endpoint; reason "" means "disabled by API".
func (c *Client) DisableWebhook(ctx context.Context, id int64, reason string) (wire.Endpoint, error) {
	return c.webhook(ctx, http.MethodPost, id, "/disable", wire.DisableRequest{Reason: reason})
}

// RotateSecret replaces an endpoint's secret with secret, or a generated one
// when it is ""; the answer shows the new secret in full.
func (c *Client) RotateSecret(ctx context.Context, id int64, secret string) (wire.Endpoint, error) {
	return c.webhook(ctx, http.MethodPost, id, "/rotate-secret", wire.RotateSecretRequest{Secret: secret})
}

// PingWebhook queues a webhook.ping event to one endpoint.
func (c *Client) PingWebhook(ctx context.Context, id int64) (wire.PingResponse, error) {
	var out wire.PingResponse
	err := c.do(ctx, http.MethodPost, webhookPath(id, "/ping"), nil, nil, &out)
	return out, err
}

// webhook calls a route of one endpoint that answers with the endpoint.
func (c *Client) webhook(ctx context.Context, method string, id int64, action string, body any) (wire.Endpoint, error) {
	var out wire.Endpoint
	err := c.do(ctx, method, webhookPath(id, action), nil, body, &out)
	return out, err
}

func webhookPath(id int64, action string) string {
	return "/v1/webhooks/" + strconv.FormatInt(id, 10) + action
}

// setID sets a positive integer parameter; zero leaves it out.
func setID(q url.Values, name string, v int64) {
	if v != 0 {
		q.Set(name, strconv.FormatInt(v, 10))
	}
}
