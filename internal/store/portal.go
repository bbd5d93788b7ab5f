package store

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
)

// PortalSession is a customer-portal link and the browser session it opens
// (the table hookrelay_portal_sessions): created by POST
// /v1/portal-sessions for one tenant, entered once, then valid until
// ExpiresAt. Neither the link's token nor the session's cookie is stored:
// only their SHA-256 (token_hash, session_hash), so a copy of the table
// opens nothing.
type PortalSession struct {
	ID int64
	// TenantID is the tenant that every page and action of the session is
	// limited to: never empty.
	TenantID string
	// Branding is the session's own title and colour; empty fields fall
	// back to the global ones.
	Branding PortalBranding
	// ExpiresAt ends both the link and the session it opens.
	ExpiresAt time.Time
	CreatedAt time.Time
	// UsedAt is when the link was entered; nil while it was not.
	UsedAt *time.Time
}

// PortalBranding is how a portal session presents itself.
type PortalBranding struct {
	// Title names the portal in its header and page titles; at most 100
	// characters (the service checks it).
	Title string `json:"title,omitempty"`
	// Color is the accent colour, "#rgb" or "#rrggbb" (the service checks
	// it: it goes into CSS).
	Color string `json:"color,omitempty"`
}

// ErrPortalLinkUsed reports a portal link that exists but can no longer be
// entered: it was used already, or it has expired. It matches ErrNotFound,
// so that a door that does not tell them apart answers 404.
var ErrPortalLinkUsed = &portalLinkUsed{}

type portalLinkUsed struct{}

func (*portalLinkUsed) Error() string { return "portal link used already or expired" }

// Is makes ErrPortalLinkUsed match ErrNotFound.
func (*portalLinkUsed) Is(target error) bool { return target == ErrNotFound }

// Scan reads a branding column: JSON text ({"title", "color"}).
func (b *PortalBranding) Scan(src any) error {
	var text []byte
	switch v := src.(type) {
	case string:
		text = []byte(v)
	case []byte:
		text = v
	default:
		return fmt.Errorf("branding column holds %T, want JSON text", src)
	}
	*b = PortalBranding{}
	if err := json.Unmarshal(text, b); err != nil {
		return fmt.Errorf("branding column: %w", err)
	}
	return nil
}

// Value is b as its column's JSON text.
func (b PortalBranding) Value() (driver.Value, error) {
	text, err := json.Marshal(b)
	return string(text), err
}
