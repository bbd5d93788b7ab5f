package service

import (
	"context"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hookrelay/hookrelay/internal/netguard"
	"github.com/hookrelay/hookrelay/internal/store"
)

// Limits on endpoint fields.
const (
	maxTitle       = 200
	maxDescription = 2000
	maxHeaders     = 20
	maxHeaderValue = 1 << 10
	maxURL         = 2048
	maxEvents      = 100
)

// connectionHeaders are the hop-by-hop and framing headers of HTTP/1.1 (RFC
// 9110, section 7.6.1, and Transfer-Encoding, TE, Trailer, Expect): they
// describe one connection, which hookrelay manages, so a custom header may
// not set them.
var connectionHeaders = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Transfer-Encoding": true,
	"Te": true, "Trailer": true, "Upgrade": true, "Expect": true,
}

// ValidateProfile checks a signature profile setting: store.ProfileStandard
// or store.ProfileAckify.
func ValidateProfile(profile string) error {
	if profile != store.ProfileStandard && profile != store.ProfileAckify {
		return fmt.Errorf("must be %q or %q, got %q", store.ProfileStandard, store.ProfileAckify, profile)
	}
	return nil
}

// validate checks every field of e but its secret (see ValidateSecret) and
// its disabled reason (validReason), and
// returns the *FieldErrors joined, in the order of the fields: text that the
// stores cannot keep first, then title, url, events, headers, description,
// max_retries, rate_limit_per_second and signature_profile. The URL's host is resolved and checked
// against the SSRF guard only when checkHost is set (on create, or when an
// update changes the URL), so that an unchanged URL of an
// operator-configured endpoint stays acceptable.
func (s *Service) validate(ctx context.Context, e store.Endpoint, checkHost bool) error {
	var errs fieldErrors
	errs.text(FieldTitle, "", e.Title)
	errs.text(FieldURL, "", e.URL)
	errs.text(FieldDescription, "", e.Description)
	for i, p := range e.Events {
		errs.text(FieldEvents, strconv.Itoa(i), p)
	}
	for _, name := range slices.Sorted(maps.Keys(e.Headers)) {
		errs.text(FieldHeaders, "", name)
		errs.text(FieldHeaders, name, e.Headers[name])
	}
	if !errs.has(FieldTitle) && len(e.Title) > maxTitle {
		errs.addf(FieldTitle, "", "is longer than %d characters", maxTitle)
	}
	if !errs.has(FieldURL) {
		s.validateURL(ctx, &errs, e.URL, checkHost)
	}
	if !errs.has(FieldEvents) {
		validateEvents(&errs, e.Events)
	}
	if !errs.has(FieldHeaders) {
		validateHeaders(&errs, e.Headers)
	}
	if !errs.has(FieldDescription) && len(e.Description) > maxDescription {
		errs.addf(FieldDescription, "", "is longer than %d characters", maxDescription)
	}
	if e.MaxRetries != nil && (*e.MaxRetries < 0 || *e.MaxRetries > store.MaxRetriesLimit) {
		errs.addf(FieldMaxRetries, "", "must be between 0 and %d, got %d", store.MaxRetriesLimit, *e.MaxRetries)
	}
	if err := ValidateRateLimit(e.RateLimitPerSecond); err != nil {
		errs.addf(FieldRateLimit, "", "%v", err)
	}
	if err := ValidateProfile(e.SignatureProfile); err != nil {
		errs.addf(FieldProfile, "", "%v", err)
	}
	return errs.err()
}

// ValidateRateLimit checks an endpoint's rate limit: 0 (unlimited) up to
// store.MaxRateLimitPerSecond requests per second.
func ValidateRateLimit(perSecond int) error {
	if perSecond < 0 || perSecond > store.MaxRateLimitPerSecond {
		return fmt.Errorf("must be between 0 (unlimited) and %d per second, got %d", store.MaxRateLimitPerSecond, perSecond)
	}
	return nil
}

// validateURL checks an endpoint's URL: ValidateTargetURL, at most maxURL
// bytes and, when checkHost is set and private targets are not allowed, a
// host whose every address is globally routable (netguard).
func (s *Service) validateURL(ctx context.Context, errs *fieldErrors, raw string, checkHost bool) {
	if raw == "" {
		errs.addf(FieldURL, "", "is required")
		return
	}
	if len(raw) > maxURL {
		errs.addf(FieldURL, "", "is longer than %d bytes", maxURL)
		return
	}
	if err := ValidateTargetURL(raw); err != nil {
		errs.addf(FieldURL, "", "%v", err)
		return
	}
	if !checkHost || s.opts.AllowPrivateTargets {
		return
	}
	resolver := s.opts.Resolver
	if resolver == nil {
		resolver = net.DefaultResolver
	}
	u, _ := url.Parse(raw) // ValidateTargetURL parsed it
	if err := netguard.CheckHost(ctx, resolver, u.Hostname()); err != nil {
		// The guard's errors name the rule only, never an address or the
		// resolver: an API user must not learn how internal names resolve.
		errs.addf(FieldURL, "", "host %v", err)
	}
}

// validateEvents accepts at most maxEvents of "*", "prefix.*" and valid
// event types; each bad entry is an error of its own.
func validateEvents(errs *fieldErrors, patterns []string) {
	if len(patterns) > maxEvents {
		errs.addf(FieldEvents, "", "at most %d subscriptions are allowed, got %d", maxEvents, len(patterns))
		return
	}
	for i, p := range patterns {
		key := strconv.Itoa(i)
		switch {
		case p == "":
			errs.addf(FieldEvents, key, "must not be empty")
		case p == "*":
		case store.ValidateEventType(strings.TrimSuffix(p, ".*")) != nil:
			errs.addf(FieldEvents, key, "%q is not an event type, \"*\" or \"prefix.*\"", p)
		}
	}
}

// validateHeaders checks custom headers: valid names, one spelling each,
// that hookrelay does not set itself (store.IsReservedHeader) and that
// describe no connection (connectionHeaders), with single-line values of
// bounded size; each bad header is an error of its own.
func validateHeaders(errs *fieldErrors, headers map[string]string) {
	if len(headers) > maxHeaders {
		errs.addf(FieldHeaders, "", "at most %d headers are allowed, got %d", maxHeaders, len(headers))
		return
	}
	seen := make(map[string]string, len(headers))
	for _, name := range slices.Sorted(maps.Keys(headers)) {
		value := headers[name]
		canonical := http.CanonicalHeaderKey(name)
		other, twice := seen[canonical]
		seen[canonical] = name
		refuse := func(format string, args ...any) { errs.addf(FieldHeaders, name, format, args...) }
		switch {
		case !isToken(name):
			refuse("is not a valid header name")
		case twice:
			refuse("is the same header as %q (header names ignore case)", other)
		case store.IsReservedHeader(name):
			refuse("is set by hookrelay and cannot be overridden")
		case connectionHeaders[canonical]:
			refuse("describes the connection, which hookrelay manages")
		case strings.ContainsAny(value, "\r\n\x00"):
			refuse("value must not contain line breaks")
		case len(value) > maxHeaderValue:
			refuse("value is longer than %d bytes", maxHeaderValue)
		}
	}
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

// validReason checks the reason of a deliberate disable: text that both
// stores keep, no longer than a description.
func validReason(reason string) error {
	var errs fieldErrors
	errs.text(FieldReason, "", reason)
	if !errs.has(FieldReason) && len(reason) > maxDescription {
		errs.addf(FieldReason, "", "is longer than %d characters", maxDescription)
	}
	return errs.err()
}
