package hookrelay

import (
	"context"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/internal/endpointrules"
	"github.com/hookrelay/hookrelay/internal/store"
)

// Signature profiles: which headers an endpoint's requests carry.
const (
	// ProfileStandard sends the X-Signature headers and the Standard Webhooks
	// headers (webhook-id, webhook-timestamp, webhook-signature).
	ProfileStandard = store.ProfileStandard
	// ProfileAckify sends Ackify CE's wire format instead: the payload bare,
	// User-Agent Ackify-Webhooks/1.0 and the X-Ackify-* headers with one
	// signature keyed with the secret's raw bytes.
	ProfileAckify = store.ProfileAckify
)

// createdByLibrary is the CreatedBy of endpoints created through the library.
const createdByLibrary = "library"

// Endpoint is a URL that receives the events it subscribes to, signed with
// its secret.
type Endpoint struct {
	ID  int64
	URL string
	// Secret signs the requests. On create, empty means a generated
	// "whsec_<base64>" one; a given one needs at least 16 bytes of key.
	Secret string
	// Events are exact types, "*", or prefixes such as "document.*"; empty
	// means every event.
	Events      []string
	Title       string
	Description string
	// Headers are sent with every request; they cannot replace hookrelay's.
	Headers map[string]string
	// MaxRetries overrides the client's retry budget (WithMaxRetries) for this
	// endpoint when set, from 0 to 50.
	MaxRetries *int
	// SignatureProfile is ProfileStandard or ProfileAckify; when empty,
	// CreateEndpoint gives the client's WithSignatureProfile (default
	// ProfileStandard). Under ProfileAckify the secret is used as raw bytes,
	// whatever its prefix, as Ackify CE does.
	SignatureProfile string

	// The fields below are hookrelay's to set; CreateEndpoint ignores them.

	// Active is false once the endpoint is disabled, by DisableEndpoint or by
	// its failures; it then receives nothing until EnableEndpoint.
	Active          bool
	DisabledReason  string
	FailureCount    int
	LastDeliveredAt *time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// CreateEndpoint validates e as the HTTP API does and stores it, active. The
// URL must be http or https, with a port from 1 to 65535 if it names one;
// unless WithAllowPrivateTargets, every address its host resolves to must be
// globally routable (not loopback, private, link-local, documentation or
// another special-purpose block, nor this host's own). An invalid endpoint is an
// error matching ErrInvalid. The returned endpoint carries its ID and secret.
func (c *Client) CreateEndpoint(ctx context.Context, e Endpoint) (Endpoint, error) {
	in := store.Endpoint{
		URL: e.URL, Events: e.Events, Title: e.Title, Description: e.Description, Headers: e.Headers,
		MaxRetries: e.MaxRetries, SignatureProfile: e.SignatureProfile, Active: true, CreatedBy: createdByLibrary,
	}
	in.SignatureProfile = c.endpoints.Profile(in)
	if err := c.endpoints.Validate(ctx, in, true); err != nil {
		return Endpoint{}, fmt.Errorf("hookrelay: create endpoint: %w", public(err))
	}
	secret, err := endpointrules.NewSecret(e.Secret, in.SignatureProfile)
	if err != nil {
		return Endpoint{}, fmt.Errorf("hookrelay: create endpoint: %w", public(err))
	}
	in.Secret = secret
	created, err := c.store.CreateEndpoint(ctx, in)
	if err != nil {
		return Endpoint{}, fmt.Errorf("hookrelay: create endpoint: %w", err)
	}
	return c.endpointOf(created), nil
}

// GetEndpoint returns one endpoint, or an error matching ErrNotFound.
func (c *Client) GetEndpoint(ctx context.Context, id int64) (Endpoint, error) {
	e, err := c.store.GetEndpoint(ctx, id)
	if err != nil {
		return Endpoint{}, fmt.Errorf("hookrelay: %w", err)
	}
	return c.endpointOf(e), nil
}

// ListEndpoints returns every endpoint, by ID.
func (c *Client) ListEndpoints(ctx context.Context) ([]Endpoint, error) {
	all, err := c.store.ListEndpoints(ctx, store.EndpointFilter{})
	if err != nil {
		return nil, fmt.Errorf("hookrelay: %w", err)
	}
	out := make([]Endpoint, len(all))
	for i, e := range all {
		out[i] = c.endpointOf(e)
	}
	return out, nil
}

// DisableEndpoint stops deliveries to an endpoint, recording reason. Its
// queued deliveries wait, and new events skip it, until EnableEndpoint.
func (c *Client) DisableEndpoint(ctx context.Context, id int64, reason string) (Endpoint, error) {
	if reason == "" {
		reason = "disabled by application"
	}
	return c.setActive(ctx, id, false, reason)
}

// EnableEndpoint resumes deliveries to an endpoint, with a clean health
// record.
func (c *Client) EnableEndpoint(ctx context.Context, id int64) (Endpoint, error) {
	return c.setActive(ctx, id, true, "")
}

// setActive enables or disables endpoint id, writing only what that changes
// (see store.Activation) so that the worker's health record survives.
func (c *Client) setActive(ctx context.Context, id int64, active bool, reason string) (Endpoint, error) {
	a, err := endpointrules.NewActivation(active, reason, time.Now())
	if err != nil {
		return Endpoint{}, fmt.Errorf("hookrelay: %w", public(err))
	}
	p := store.EndpointPatch{Activation: &a}
	if active {
		current, err := c.store.GetEndpoint(ctx, id)
		if err != nil {
			return Endpoint{}, fmt.Errorf("hookrelay: %w", err)
		}
		if err := endpointrules.CheckConfigTrust(current, p); err != nil {
			return Endpoint{}, fmt.Errorf("hookrelay: endpoint %d: %w", id, err)
		}
	}
	saved, err := c.store.UpdateEndpoint(ctx, id, p)
	if err != nil {
		return Endpoint{}, fmt.Errorf("hookrelay: %w", err)
	}
	return c.endpointOf(saved), nil
}

// DeleteEndpoint removes an endpoint and its deliveries.
func (c *Client) DeleteEndpoint(ctx context.Context, id int64) error {
	if err := c.store.DeleteEndpoint(ctx, id); err != nil {
		return fmt.Errorf("hookrelay: %w", err)
	}
	return nil
}

// endpointOf is the library's view of e; its SignatureProfile is the one
// requests are signed with, WithSignatureProfile's for a row that names none.
func (c *Client) endpointOf(e store.Endpoint) Endpoint {
	return Endpoint{
		ID: e.ID, URL: e.URL, Secret: e.Secret, Events: e.Events, Title: e.Title, Description: e.Description,
		Headers: e.Headers, MaxRetries: e.MaxRetries, SignatureProfile: c.endpoints.Profile(e),
		Active: e.Active, DisabledReason: e.DisabledReason, FailureCount: e.FailureCount,
		LastDeliveredAt: e.LastDeliveredAt, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt,
	}
}
