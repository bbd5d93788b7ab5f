package hookrelay

import (
	"context"
	"fmt"

	"github.com/hookrelay/hookrelay/internal/store"
)

// ListTenantEndpoints returns the endpoints of tenant tenantID, by ID (every
// endpoint when it is empty, as ListEndpoints). A tenant ID that the
// database's rule refuses is an error matching ErrInvalid.
func (c *Client[TTx]) ListTenantEndpoints(ctx context.Context, tenantID string) ([]Endpoint, error) {
	tenant, err := c.service.TenantID(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("hookrelay: %w", err)
	}
	all, err := c.store.ListEndpoints(ctx, store.EndpointFilter{TenantID: tenant})
	if err != nil {
		return nil, fmt.Errorf("hookrelay: %w", err)
	}
	out := make([]Endpoint, len(all))
	for i, e := range all {
		out[i] = c.endpointOf(e)
	}
	return out, nil
}
