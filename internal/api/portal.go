package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
)

// PortalEnterPath is where a portal link opens the customer portal: the
// portal's prefix (ui.PortalPrefix) and "enter/", followed by the token.
const PortalEnterPath = "/portal/enter/"

// createPortalSession handles POST /v1/portal-sessions: 201 with the URL of
// a single-use link to the customer portal of tenant_id, and when it
// expires; 422 naming tenant_id, expires_in or branding.title/color. The
// token in the URL is given out this once: it is never logged, and the
// store keeps its SHA-256 only.
func (s *server) createPortalSession(w http.ResponseWriter, r *http.Request) error {
	var req wire.PortalSessionCreate
	if err := s.decodeJSON(w, r, &req, false); err != nil {
		return err
	}
	link := service.PortalLinkRequest{TenantID: req.TenantID}
	if req.ExpiresIn != "" {
		d, err := time.ParseDuration(req.ExpiresIn)
		if err != nil {
			return &service.FieldError{Field: service.FieldExpiresIn, Message: fmt.Sprintf("%q is not a duration such as \"30m\" or \"1h\"", req.ExpiresIn)}
		}
		if err := service.CheckPortalLinkTTL(d); err != nil {
			return err // an explicit zero is out of range, not the default
		}
		link.ExpiresIn = d
	}
	if req.Branding != nil {
		link.Branding = store.PortalBranding{Title: req.Branding.Title, Color: req.Branding.Color}
	}
	created, err := s.service.CreatePortalLink(r.Context(), link)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, wire.PortalSession{
		URL: s.publicBase(r) + PortalEnterPath + created.Token, ExpiresAt: created.Session.ExpiresAt.UTC(),
	})
	return nil
}

// publicBase is the scheme and host of the links the API gives out:
// HOOKRELAY_PUBLIC_URL when set, else the request's own (TLS and Host
// header). X-Forwarded-Proto and X-Forwarded-Host are never trusted: behind
// a proxy, set HOOKRELAY_PUBLIC_URL.
func (s *server) publicBase(r *http.Request) string {
	if s.publicURL != "" {
		return strings.TrimSuffix(s.publicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
