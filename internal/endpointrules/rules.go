// Package endpointrules holds what an endpoint must satisfy before it is
// stored, and how one is switched on and off, so that the HTTP API and the Go
// library accept exactly the same endpoints: field limits, the target URL and
// its SSRF check, subscriptions, custom headers and secrets. Every validation
// error is a *store.FieldError naming the field.
package endpointrules

import (
	"context"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/netguard"
	"github.com/hookrelay/hookrelay/internal/store"
)

// Limits on endpoint fields.
const (
	maxTitle         = 200
	maxDescription   = 2000
	maxHeaders       = 20
	maxHeaderValue   = 1 << 10
	maxEndpointRetry = store.MaxRetriesLimit
	maxURL           = 2048
	maxEvents        = 100
)

// connectionHeaders are the hop-by-hop and framing headers of HTTP/1.1 (RFC
// 9110, section 7.6.1, and Transfer-Encoding, TE, Trailer, Expect): they
// describe one connection, which hookrelay manages, so a custom header may
// not set them.
var connectionHeaders = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Transfer-Encoding": true,
	"Te": true, "Trailer": true, "Upgrade": true, "Expect": true,
}

// Checker validates endpoints about to be stored.
type Checker struct {
	// AllowPrivate accepts URLs whose host resolves to addresses that are
	// not global unicast (loopback, private, link-local, …; development).
	AllowPrivate bool
	// Resolver resolves URL hosts for the SSRF check; nil means
	// net.DefaultResolver.
	Resolver *net.Resolver
	// DefaultProfile is the signature profile of an endpoint that names none
	// (HOOKRELAY_SIGNATURE_PROFILE); empty means store.ProfileStandard.
	DefaultProfile string
}

// Profile returns the signature profile e is signed with: its own, or the
// checker's DefaultProfile when it names none (a row that Ackify CE or
// WEBHOOK_URLS created, or a request that gives none). Callers store the
// result, so that saving an endpoint never changes how it is signed.
func (c Checker) Profile(e store.Endpoint) string {
	return e.ProfileOr(c.DefaultProfile)
}

// Validate checks every field of e. The URL's host is resolved and checked
// against the SSRF guard only when checkHost is set (on create, or when an
// update changes the URL), so that an unchanged URL of an operator-configured
// endpoint stays acceptable.
func (c Checker) Validate(ctx context.Context, e store.Endpoint, checkHost bool) error {
	if err := validateText(e); err != nil {
		return err
	}
	if len(e.Title) > maxTitle {
		return &store.FieldError{Field: "title", Message: fmt.Sprintf("is longer than %d characters", maxTitle)}
	}
	if err := c.validateURL(ctx, e.URL, checkHost); err != nil {
		return err
	}
	if err := validateEvents(e.Events); err != nil {
		return err
	}
	if err := validateHeaders(e.Headers); err != nil {
		return err
	}
	if len(e.Description) > maxDescription {
		return &store.FieldError{Field: "description", Message: fmt.Sprintf("is longer than %d characters", maxDescription)}
	}
	if e.MaxRetries != nil && (*e.MaxRetries < 0 || *e.MaxRetries > maxEndpointRetry) {
		return &store.FieldError{Field: "max_retries", Message: fmt.Sprintf("must be between 0 and %d, got %d", maxEndpointRetry, *e.MaxRetries)}
	}
	if e.SignatureProfile != store.ProfileStandard && e.SignatureProfile != store.ProfileAckify {
		return &store.FieldError{Field: "signature_profile", Message: fmt.Sprintf("must be %q or %q, got %q", store.ProfileStandard, store.ProfileAckify, e.SignatureProfile)}
	}
	return nil
}

// validateText refuses text fields that are not valid UTF-8 or hold a NUL
// (store.CheckText), so that both stores keep every field as given.
func validateText(e store.Endpoint) error {
	if err := store.ValidTexts("title", e.Title, "url", e.URL, "description", e.Description,
		"reason", e.DisabledReason, "secret", e.Secret); err != nil {
		return err
	}
	for i, p := range e.Events {
		if err := store.ValidText(fmt.Sprintf("events[%d]", i), p); err != nil {
			return err
		}
	}
	for name, value := range e.Headers {
		if err := store.ValidTexts("headers", name, "headers."+name, value); err != nil {
			return err
		}
	}
	return nil
}

func (c Checker) validateURL(ctx context.Context, raw string, checkHost bool) error {
	if raw == "" {
		return &store.FieldError{Field: "url", Message: "is required"}
	}
	if len(raw) > maxURL {
		return &store.FieldError{Field: "url", Message: fmt.Sprintf("is longer than %d bytes", maxURL)}
	}
	if err := ValidateTargetURL(raw); err != nil {
		return &store.FieldError{Field: "url", Message: err.Error()}
	}
	if !checkHost || c.AllowPrivate {
		return nil
	}
	resolver := c.Resolver
	if resolver == nil {
		resolver = net.DefaultResolver
	}
	u, _ := url.Parse(raw) // ValidateTargetURL parsed it
	if err := netguard.CheckHost(ctx, resolver, u.Hostname()); err != nil {
		// The guard's errors name the rule only, never an address or the
		// resolver: an API user must not learn how internal names resolve.
		return &store.FieldError{Field: "url", Message: "host " + err.Error()}
	}
	return nil
}

// validateEvents accepts at most maxEvents of "*", "prefix.*" and valid
// event types.
func validateEvents(patterns []string) error {
	if len(patterns) > maxEvents {
		return &store.FieldError{Field: "events", Message: fmt.Sprintf("at most %d subscriptions are allowed, got %d", maxEvents, len(patterns))}
	}
	for i, p := range patterns {
		field := fmt.Sprintf("events[%d]", i)
		if p == "" {
			return &store.FieldError{Field: field, Message: "must not be empty"}
		}
		if p == "*" {
			continue
		}
		if err := store.ValidateEventType(strings.TrimSuffix(p, ".*")); err != nil {
			return &store.FieldError{Field: field, Message: fmt.Sprintf("%q is not an event type, \"*\" or \"prefix.*\"", p)}
		}
	}
	return nil
}

// validateHeaders checks custom headers: valid names, one spelling each,
// that hookrelay does not set itself and that describe no connection
// (connectionHeaders), with single-line values of bounded size.
func validateHeaders(headers map[string]string) error {
	if len(headers) > maxHeaders {
		return &store.FieldError{Field: "headers", Message: fmt.Sprintf("at most %d headers are allowed, got %d", maxHeaders, len(headers))}
	}
	seen := make(map[string]string, len(headers))
	for _, name := range slices.Sorted(maps.Keys(headers)) {
		value := headers[name]
		field := "headers." + name
		canonical := http.CanonicalHeaderKey(name)
		other, twice := seen[canonical]
		seen[canonical] = name
		switch {
		case !isToken(name):
			return &store.FieldError{Field: field, Message: "is not a valid header name"}
		case twice:
			return &store.FieldError{Field: field, Message: fmt.Sprintf("is the same header as %q (header names ignore case)", other)}
		case delivery.IsReservedHeader(name):
			return &store.FieldError{Field: field, Message: "is set by hookrelay and cannot be overridden"}
		case connectionHeaders[canonical]:
			return &store.FieldError{Field: field, Message: "describes the connection, which hookrelay manages"}
		case strings.ContainsAny(value, "\r\n\x00"):
			return &store.FieldError{Field: field, Message: "value must not contain line breaks"}
		case len(value) > maxHeaderValue:
			return &store.FieldError{Field: field, Message: fmt.Sprintf("value is longer than %d bytes", maxHeaderValue)}
		}
	}
	return nil
}

// isToken reports whether name is an HTTP token (RFC 9110, section 5.6.2).
func isToken(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range []byte(name) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// ValidateProfile checks a signature profile setting: store.ProfileStandard
// or store.ProfileAckify.
func ValidateProfile(profile string) error {
	if profile != store.ProfileStandard && profile != store.ProfileAckify {
		return fmt.Errorf("must be %q or %q, got %q", store.ProfileStandard, store.ProfileAckify, profile)
	}
	return nil
}
