package ui

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
)

// PortalPrefix is the path under which the customer portal is served.
const PortalPrefix = "/portal/"

// PortalCookie is the name of the portal session's cookie, scoped to
// PortalPrefix: it never reaches the dashboard or the API.
const PortalCookie = "hookrelay_portal"

// DefaultPortalTitle names the portal when neither the session nor
// HOOKRELAY_PORTAL_TITLE gives a title.
const DefaultPortalTitle = "Webhooks"

// PortalOptions configure the customer portal: the pages a link of POST
// /v1/portal-sessions opens for one tenant.
type PortalOptions struct {
	// Service carries out every change and answers every read, through
	// Service.TenantScoped: each request is limited to its session's
	// tenant below the pages. Required.
	Service *service.Service
	// Logger receives failed requests; nil discards.
	Logger *slog.Logger
	// FrameAncestors are the CSP frame-ancestors sources allowed to embed
	// the portal in a frame (HOOKRELAY_PORTAL_FRAME_ANCESTORS), e.g.
	// "https://app.example.com"; empty: 'self' only. The origins among them
	// may also send the portal's forms.
	FrameAncestors []string
	// HTTPS says the portal is served over HTTPS even when the request that
	// reaches this process is not (HOOKRELAY_PUBLIC_URL is https://, behind
	// a proxy that ends TLS): the session cookie is then Secure and
	// SameSite=None, so that it works in a frame on another site.
	HTTPS bool
	// Title and Color are the global branding (HOOKRELAY_PORTAL_TITLE,
	// HOOKRELAY_PORTAL_COLOR); a session's own branding overrides them.
	// Empty: DefaultPortalTitle and the dashboard's colour.
	Title string
	Color string
}

// portalConfig is what the portal's server holds beyond the dashboard's.
type portalConfig struct {
	title, color   string
	frameAncestors string
	https          bool
	origins        *http.CrossOriginProtection
	// trusted are the embedding origins (scheme://host[:port], without a
	// default port), whose Referer a POST may carry.
	trusted map[string]bool
}

// NewPortal returns the customer portal's handler, serving everything under
// PortalPrefix. It shares the dashboard's pages, but routes only what a
// tenant may do with its own endpoints and deliveries; the operator's pages
// (overview, events, event types, replay, queue, recovery controls) do not
// exist here. An invalid Color or frame ancestor is an error.
func NewPortal(opts PortalOptions) (http.Handler, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if opts.Color != "" && !service.ValidPortalColor(opts.Color) {
		return nil, fmt.Errorf("portal colour %q: must be #rgb or #rrggbb", opts.Color)
	}
	cfg := &portalConfig{title: opts.Title, color: opts.Color, https: opts.HTTPS,
		origins: http.NewCrossOriginProtection(), trusted: map[string]bool{}}
	if cfg.title == "" {
		cfg.title = DefaultPortalTitle
	}
	sources := []string{service.PortalFrameSelf}
	for _, src := range opts.FrameAncestors {
		norm, origin, err := service.ParsePortalFrameAncestor(src)
		if err != nil {
			return nil, fmt.Errorf("portal frame ancestor: %w", err)
		}
		if slices.Contains(sources, norm) {
			continue
		}
		sources = append(sources, norm)
		if origin != "" {
			if err := cfg.origins.AddTrustedOrigin(origin); err != nil {
				return nil, fmt.Errorf("portal frame ancestor %q: %w", src, err)
			}
			cfg.trusted[origin] = true
		}
	}
	cfg.frameAncestors = strings.Join(sources, " ")
	svc := opts.Service.TenantScoped()
	urls := paths{prefix: PortalPrefix, portal: true}
	s := &server{
		service: svc,
		store:   svc.Store(),
		logger:  logger,
		pages:   mustParsePages(urls),
		mux:     http.NewServeMux(),
		paths:   urls,
		portal:  cfg,

		defaultProfile: svc.Profile(store.Endpoint{}),
	}
	s.portalRoutes()
	return cfg.securityHeaders(s.mux), nil
}

// portalRoutes registers the portal's pages and actions: a tenant's
// endpoints (create, edit, enable, disable, rotate the secret, test event,
// verification, delete) and their deliveries (retry).
func (s *server) portalRoutes() {
	p := PortalPrefix
	s.mux.Handle("GET "+p+"static/", staticHandler(p))
	s.mux.HandleFunc("GET "+p+"brand.css", brandCSS)
	s.handle("GET "+p+"enter/{token}", s.enterPortal, public)
	s.handle("POST "+p+"logout", s.portalLogout, signedIn)

	s.handle("GET "+p+"{$}", func(w http.ResponseWriter, r *http.Request) error {
		http.Redirect(w, r, p+"endpoints", http.StatusSeeOther)
		return nil
	}, signedIn)
	s.endpointRoutes(p)

	// Any other path is a 404 page, for a visitor with a session only.
	s.handle(p, s.notFound, signedIn)
}

// portalSession is the request's portal session.
type portalSession struct {
	store.PortalSession
	// cookie is the session's secret, as its cookie carries it.
	cookie string
}

// portalSessionKey is the context key of the request's portal session.
type portalSessionKey struct{}

// portalSessionOf returns the session that withPortalSession attached to r;
// ok is false on a public page without one.
func portalSessionOf(r *http.Request) (portalSession, bool) {
	sess, ok := r.Context().Value(portalSessionKey{}).(portalSession)
	return sess, ok
}

// Errors of the portal's session layer.
var (
	errPortalSignedOut = &pageError{http.StatusUnauthorized, "your portal session has ended, or this browser has none"}
	errPortalLinkGone  = &pageError{http.StatusGone, "this link was used already or has expired: each link opens the portal once"}
	errPortalNoLink    = &pageError{http.StatusNotFound, "there is no such link"}
	errPortalLinkHEAD  = &pageError{http.StatusMethodNotAllowed, "a link opens the portal with GET only: HEAD would use it up"}
)

// withPortalSession attaches the portal session of the request's cookie
// (looked up by its hash in the store, so that any `serve` process behind
// a load balancer takes it) and scopes the request's context to its tenant
// (store.WithTenant), checks every POST against cross-site forgery, and
// refuses a signed-in page without a live session (401).
func (s *server) withPortalSession(h handlerFunc, who access) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The error page is rendered with the request's session, when
		// it has one (its navigation, its sign-out).
		if err := s.portalRequest(w, &r, h, who); err != nil {
			s.renderError(w, r, err)
		}
	})
}

// portalRequest is withPortalSession's work; its error is shown. It sets
// *req to the request with the session in its context.
func (s *server) portalRequest(w http.ResponseWriter, req **http.Request, h handlerFunc, who access) error {
	r := *req
	if who == public {
		return h(w, r)
	}
	c, err := r.Cookie(PortalCookie)
	if err != nil || c.Value == "" {
		return errPortalSignedOut
	}
	row, err := s.service.PortalSession(r.Context(), c.Value)
	if errors.Is(err, store.ErrNotFound) {
		return errPortalSignedOut
	}
	if err != nil {
		return err
	}
	sess := portalSession{PortalSession: row, cookie: c.Value}
	ctx := context.WithValue(store.WithTenant(r.Context(), row.TenantID), portalSessionKey{}, sess)
	r = r.WithContext(ctx)
	*req = r
	if r.Method == http.MethodPost {
		if err := s.checkPortalPost(r, sess); err != nil {
			return err
		}
		if err := formText(r.PostForm); err != nil {
			return err
		}
	}
	return h(w, r)
}

// portalCSRF is the CSRF token of a portal session: a hash of its cookie's
// secret, so that it needs no storage, holds in every process and cannot be
// turned back into the cookie.
func portalCSRF(cookie string) string {
	sum := sha256.Sum256([]byte("hookrelay portal csrf v1\x00" + cookie))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// checkPortalPost checks a portal POST: from the portal's origin or an
// embedding one (Sec-Fetch-Site, Origin, Referer), with the session's CSRF
// token, and at most maxFormBytes.
func (s *server) checkPortalPost(r *http.Request, sess portalSession) error {
	if s.portal.origins.Check(r) != nil || !s.portal.refererAllowed(r) {
		return errForbidden
	}
	return checkForm(r, portalCSRF(sess.cookie))
}

// refererAllowed accepts no Referer, or one from the portal's own host (as
// http.CrossOriginProtection compares the Origin header), or from an
// embedding origin by scheme, host and port: http://app.example.com is not
// https://app.example.com.
func (c *portalConfig) refererAllowed(r *http.Request) bool {
	ref := r.Header.Get("Referer")
	if ref == "" {
		return true
	}
	u, err := url.Parse(ref)
	if err != nil || u.Host == "" {
		return false
	}
	if u.Host == r.Host {
		return true
	}
	origin := strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
	if p := u.Port(); u.Scheme == "https" && p == "443" || u.Scheme == "http" && p == "80" {
		origin = strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Hostname())
	}
	return c.trusted[origin]
}

// enterPortal handles GET /portal/enter/{token}: the link is used once and
// opens a session for its tenant (the cookie), then the browser goes to the
// endpoints, so that the token stays out of its history. A used or expired
// link is a 410 page, an unknown one a 404; neither says more. Only GET
// uses the link: a HEAD (the mux routes it to a GET pattern), as a link
// checker or a chat preview sends, is a 405 with "Allow: GET" that looks
// nothing up, sets no cookie and leaves the link unused.
func (s *server) enterPortal(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Referrer-Policy", "no-referrer")
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		return errPortalLinkHEAD
	}
	row, cookie, err := s.service.EnterPortal(r.Context(), r.PathValue("token"))
	switch {
	case errors.Is(err, store.ErrPortalLinkUsed):
		return errPortalLinkGone
	case errors.Is(err, store.ErrNotFound):
		return errPortalNoLink
	case err != nil:
		return err
	}
	c := s.portal.cookie(r, cookie)
	c.Expires = row.ExpiresAt
	http.SetCookie(w, c)
	http.Redirect(w, r, PortalPrefix+"endpoints", http.StatusSeeOther)
	return nil
}

// portalLogout handles POST /portal/logout: the session ends in the store,
// so a copy of its cookie opens nothing.
func (s *server) portalLogout(w http.ResponseWriter, r *http.Request) error {
	sess, _ := portalSessionOf(r)
	if err := s.service.EndPortalSession(r.Context(), sess.cookie); err != nil {
		return err
	}
	c := s.portal.cookie(r, "")
	c.MaxAge = -1
	http.SetCookie(w, c)
	r = r.WithContext(context.WithValue(r.Context(), portalSessionKey{}, nil))
	s.render(w, r, http.StatusOK, "error", "Signed out", errorView{Status: http.StatusOK, Message: "You are signed out of the portal."})
	return nil
}

// cookie is the portal session's cookie holding value: HttpOnly, path
// PortalPrefix; over HTTPS Secure and SameSite=None, so that it is sent
// inside a frame on another site, else SameSite=Lax (a browser sends no
// SameSite=None cookie without Secure).
func (c *portalConfig) cookie(r *http.Request, value string) *http.Cookie {
	ck := &http.Cookie{Name: PortalCookie, Value: value, Path: PortalPrefix, HttpOnly: true, SameSite: http.SameSiteLaxMode}
	if r.TLS != nil || c.https {
		ck.Secure, ck.SameSite = true, http.SameSiteNoneMode
	}
	return ck
}

// brand is the title and the stylesheet of the request's branding: the
// session's own, else the global one.
func (c *portalConfig) brand(r *http.Request) (title, css string) {
	title, color := c.title, c.color
	if sess, ok := portalSessionOf(r); ok {
		if sess.Branding.Title != "" {
			title = sess.Branding.Title
		}
		if sess.Branding.Color != "" {
			color = sess.Branding.Color
		}
	}
	if color != "" {
		css = PortalPrefix + "brand.css?color=" + url.QueryEscape(strings.TrimPrefix(color, "#"))
	}
	return title, css
}

// brandCSS handles GET /portal/brand.css?color=rrggbb: the accent colour
// as a stylesheet (the pages' CSP allows no inline style). Anything but
// #rgb or #rrggbb hex digits is a 404: nothing else reaches the CSS.
func brandCSS(w http.ResponseWriter, r *http.Request) {
	color := "#" + r.URL.Query().Get("color")
	if !service.ValidPortalColor(color) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	fmt.Fprintf(w, ":root { --accent: %s; }\n@media (prefers-color-scheme: dark) { :root { --accent: %s; } }\n", color, color)
}

// securityHeaders are the dashboard's, but for framing: the portal may be
// embedded by the configured ancestors ('self' alone by default).
func (c *portalConfig) securityHeaders(next http.Handler) http.Handler {
	csp := "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
		"connect-src 'self'; form-action 'self'; frame-ancestors " + c.frameAncestors + "; base-uri 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		if c.frameAncestors == service.PortalFrameSelf {
			h.Set("X-Frame-Options", "SAMEORIGIN")
		}
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// csrfOf is the CSRF token that r's forms carry: the portal session's, or
// the dashboard session's.
func (s *server) csrfOf(r *http.Request) string {
	if s.portal != nil {
		if sess, ok := portalSessionOf(r); ok {
			return portalCSRF(sess.cookie)
		}
		return ""
	}
	return s.sessions.csrfToken(sessionOf(r))
}
