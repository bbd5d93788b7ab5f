package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/publicsuffix"

	"github.com/hookrelay/hookrelay/internal/store"
)

// Limits of a customer-portal link (POST /v1/portal-sessions).
const (
	// DefaultPortalLinkTTL is how long a link and its session last when the
	// request names no expires_in.
	DefaultPortalLinkTTL = time.Hour
	// MinPortalLinkTTL and MaxPortalLinkTTL bound expires_in.
	MinPortalLinkTTL = time.Minute
	MaxPortalLinkTTL = 24 * time.Hour
	// MaxPortalTitle is the longest branding title, in characters.
	MaxPortalTitle = 100
)

// Fields of a portal link request that a *FieldError names.
const (
	FieldExpiresIn     = "expires_in"
	FieldBrandingTitle = "branding.title"
	FieldBrandingColor = "branding.color"
)

// portalTokenBytes is the size of a link's token and of a session's cookie
// value: 32 random bytes, written in base64url (43 characters).
const portalTokenBytes = 32

// PortalLinkRequest asks for a customer-portal link.
type PortalLinkRequest struct {
	// TenantID is the tenant the portal shows: required, valid by the
	// store's tenant rule.
	TenantID string
	// ExpiresIn is how long the link and its session last: zero means
	// DefaultPortalLinkTTL; MinPortalLinkTTL to MaxPortalLinkTTL.
	ExpiresIn time.Duration
	// Branding overrides the global title and colour for this session.
	Branding store.PortalBranding
}

// PortalLink is a new customer-portal link.
type PortalLink struct {
	// Token is the link's secret, given out once in its URL: the store
	// keeps only its SHA-256. Never log it.
	Token   string
	Session store.PortalSession
}

// CreatePortalLink checks req and stores a single-use link for its tenant.
// Refusals are *FieldErrors on tenant_id, expires_in, branding.title or
// branding.color. Expired links are kept a day, so that they answer 410 Gone
// (maintenance.ExpiredPortalKeep): the maintainer deletes them, not this.
func (s *Service) CreatePortalLink(ctx context.Context, req PortalLinkRequest) (PortalLink, error) {
	var errs []error
	tenant, err := s.tenantID(ctx, req.TenantID)
	switch {
	case err != nil:
		errs = append(errs, err)
	case tenant == "":
		errs = append(errs, &FieldError{Field: FieldTenantID, Message: "is required: a portal shows one tenant's endpoints"})
	}
	ttl := req.ExpiresIn
	if ttl == 0 {
		ttl = DefaultPortalLinkTTL
	}
	errs = append(errs, CheckPortalLinkTTL(ttl), CheckPortalBranding(req.Branding))
	if err := errors.Join(errs...); err != nil {
		return PortalLink{}, err
	}
	now := s.opts.Now()
	token := newPortalSecret()
	created, err := s.store.CreatePortalSession(ctx, store.PortalSession{
		TenantID: tenant, Branding: req.Branding, ExpiresAt: now.Add(ttl),
	}, portalHash(token))
	if err != nil {
		return PortalLink{}, err
	}
	return PortalLink{Token: token, Session: created}, nil
}

// CheckPortalLinkTTL refuses a link lifetime outside MinPortalLinkTTL to
// MaxPortalLinkTTL with a *FieldError on expires_in.
func CheckPortalLinkTTL(d time.Duration) error {
	if d < MinPortalLinkTTL || d > MaxPortalLinkTTL {
		return &FieldError{Field: FieldExpiresIn, Message: fmt.Sprintf("must be from 1m to 24h, got %s", d)}
	}
	return nil
}

// CheckPortalBranding refuses a title longer than MaxPortalTitle characters
// or with a control character (Unicode category Cc: NUL, tab, line breaks,
// U+0085…) or a bidirectional formatting character (U+200E, U+200F,
// U+202A–U+202E, U+2066–U+2069, which could reorder the text around the
// title, e.g. spoof the page's wording), and a colour other than "#rgb" or
// "#rrggbb" (hex digits): the colour is written into CSS, so nothing else
// passes. Empty fields are accepted (the global ones apply).
func CheckPortalBranding(b store.PortalBranding) error {
	var errs []error
	if n := utf8.RuneCountInString(b.Title); n > MaxPortalTitle || !utf8.ValidString(b.Title) {
		errs = append(errs, &FieldError{Field: FieldBrandingTitle, Message: fmt.Sprintf("must be valid UTF-8 of at most %d characters", MaxPortalTitle)})
	} else if i := strings.IndexFunc(b.Title, spoofingRune); i >= 0 {
		r, _ := utf8.DecodeRuneInString(b.Title[i:])
		errs = append(errs, &FieldError{Field: FieldBrandingTitle, Message: fmt.Sprintf("must not contain control or bidirectional formatting characters (%U)", r)})
	}
	if b.Color != "" && !ValidPortalColor(b.Color) {
		errs = append(errs, &FieldError{Field: FieldBrandingColor, Message: `must be a hex colour "#rgb" or "#rrggbb"`})
	}
	return errors.Join(errs...)
}

// spoofingRune reports whether r may not appear in a portal title: a
// control character (Cc) or a bidirectional formatting one (a Cf subset).
func spoofingRune(r rune) bool {
	return unicode.Is(unicode.Cc, r) || r == '\u200e' || r == '\u200f' ||
		r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069'
}

// PortalFrameSelf is the CSP source of the portal's own origin, which may
// always frame it.
const PortalFrameSelf = "'self'"

// ParsePortalFrameAncestor checks one HOOKRELAY_PORTAL_FRAME_ANCESTORS
// source and returns it normalised: PortalFrameSelf, or
// scheme://host[:port] with scheme http or https, a host of DNS labels
// (letters, digits, inner hyphens) and a port of 1 to 65535; scheme and
// host are lower-cased and a default port (:443, :80) is dropped. The host
// may start with a "*." wildcard label only above a registrable domain
// (https://*.example.com, not https://*.com, https://*.co.uk or
// https://*.github.io: the public suffix list decides). No path, query,
// fragment, credentials or other CSP keyword passes. origin is the
// source's origin when it names exactly one (the Origin and Referer of a
// POST from it), "" for 'self' and a wildcard.
func ParsePortalFrameAncestor(src string) (norm, origin string, err error) {
	if src == PortalFrameSelf {
		return src, "", nil
	}
	bad := func(why string) (string, string, error) {
		return "", "", fmt.Errorf("%q is not a frame ancestor such as https://app.example.com, https://*.example.com or 'self': %s", src, why)
	}
	scheme, hostport, ok := strings.Cut(src, "://")
	scheme = strings.ToLower(scheme)
	if !ok || (scheme != "https" && scheme != "http") {
		return bad("it must start with https:// or http://")
	}
	host, port := strings.ToLower(hostport), ""
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host, port = host[:i], host[i+1:]
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || port[0] == '0' || port[0] == '+' {
			return bad("the port must be a number from 1 to 65535")
		}
		if scheme == "https" && port == "443" || scheme == "http" && port == "80" {
			port = ""
		}
	}
	wildcard := strings.HasPrefix(host, "*.")
	host = strings.TrimPrefix(host, "*.")
	if !validDNSName(host) {
		return bad("after the scheme only a host name and a port may follow (no path, query, credentials or other wildcard)")
	}
	if wildcard {
		if _, err := publicsuffix.EffectiveTLDPlusOne(host); err != nil || !strings.Contains(host, ".") {
			return bad("a wildcard must stand below a registrable domain (https://*.example.com)")
		}
		host = "*." + host
	}
	norm = scheme + "://" + host
	if port != "" {
		norm += ":" + port
	}
	if !wildcard {
		origin = norm
	}
	return norm, origin, nil
}

// validDNSName reports whether h is a host name of dot-separated labels of
// 1 to 63 letters, digits and inner hyphens, at most 253 bytes in all.
func validDNSName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// ValidPortalColor reports whether c is "#rgb" or "#rrggbb" in hex digits.
func ValidPortalColor(c string) bool {
	if len(c) != 4 && len(c) != 7 || c[0] != '#' {
		return false
	}
	for i := 1; i < len(c); i++ {
		ch := c[i]
		if !(ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'f' || ch >= 'A' && ch <= 'F') {
			return false
		}
	}
	return true
}

// EnterPortal uses the link of token once and opens its session: it
// returns the session and the secret of its cookie (stored as a hash
// only). store.ErrPortalLinkUsed when the link was used or has expired,
// store.ErrNotFound when there is none.
func (s *Service) EnterPortal(ctx context.Context, token string) (store.PortalSession, string, error) {
	cookie := newPortalSecret()
	p, err := s.store.EnterPortalSession(ctx, portalHash(token), portalHash(cookie))
	if err != nil {
		return store.PortalSession{}, "", err
	}
	return p, cookie, nil
}

// PortalSession returns the live session of a cookie secret, or
// store.ErrNotFound.
func (s *Service) PortalSession(ctx context.Context, cookie string) (store.PortalSession, error) {
	return s.store.GetPortalSession(ctx, portalHash(cookie))
}

// EndPortalSession ends the session of a cookie secret (a sign-out).
func (s *Service) EndPortalSession(ctx context.Context, cookie string) error {
	return s.store.EndPortalSession(ctx, portalHash(cookie))
}

// TenantScoped returns a Service on the same store seen through
// store.TenantScoped: every call acts for the tenant of its context
// (store.WithTenant) only, and fails without one. The customer portal
// uses it, so that its scope is enforced below every page.
func (s *Service) TenantScoped() *Service {
	c := *s
	c.store = store.TenantScoped(s.store)
	return &c
}

// newPortalSecret returns 32 random bytes in base64url: a link's token or
// a session's cookie value.
func newPortalSecret() string {
	b := make([]byte, portalTokenBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// portalHash is the SHA-256 under which the store keeps a portal secret.
func portalHash(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}
