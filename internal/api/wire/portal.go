package wire

import "time"

// PortalSessionCreate is the body of POST /v1/portal-sessions: a
// single-use link to the customer portal of one tenant.
type PortalSessionCreate struct {
	// TenantID is the tenant the portal shows; required.
	TenantID string `json:"tenant_id"`
	// ExpiresIn is a Go duration ("1h", "30m"), from 1m to 24h; absent:
	// 1h. The link and the session it opens end together.
	ExpiresIn string `json:"expires_in,omitempty"`
	// Branding overrides HOOKRELAY_PORTAL_TITLE and HOOKRELAY_PORTAL_COLOR
	// for this session.
	Branding *PortalBranding `json:"branding,omitempty"`
}

// PortalBranding is a portal session's own title (at most 100 characters)
// and accent colour ("#rgb" or "#rrggbb").
type PortalBranding struct {
	Title string `json:"title,omitempty"`
	Color string `json:"color,omitempty"`
}

// PortalSession is the answer of POST /v1/portal-sessions: the link to
// give the tenant's user (it opens the portal once) and when it expires.
type PortalSession struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}
