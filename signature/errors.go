package signature

import (
	"errors"
	"net/http"
)

// The sentinel errors of Verify, for errors.Is. Every error Verify returns
// for a bad request is an *Error that wraps exactly one of them.
var (
	// ErrMissingHeader: a header the signature scheme needs is absent or empty.
	ErrMissingHeader = errors.New("missing header")
	// ErrBadFormat: a header is present but cannot be parsed.
	ErrBadFormat = errors.New("bad header format")
	// ErrExpired: the timestamp is further from now than the tolerance, in
	// either direction (a replay, or a clock far off).
	ErrExpired = errors.New("timestamp outside tolerance")
	// ErrMismatch: no signature in the request matches any candidate secret.
	ErrMismatch = errors.New("signature mismatch")
)

// Errors about the caller's configuration rather than the request.
var (
	// ErrNoSecret: Sign, SetHeaders or Verify was given no secret.
	ErrNoSecret = errors.New("signature: no secret given")
	// ErrInvalidSecret: a "whsec_" secret whose key part is not valid base64.
	ErrInvalidSecret = errors.New("signature: invalid secret")
)

// Error is a verification failure: which header, what is wrong with it, and
// the sentinel (Kind) that classifies it.
type Error struct {
	// Kind is ErrMissingHeader, ErrBadFormat, ErrExpired or ErrMismatch.
	Kind error
	// Header names the header at fault, as the scheme spells it.
	Header string
	// Detail says exactly what is wrong; empty when Kind says it all.
	Detail string
}

// Error returns "<kind>: <header>[: <detail>]".
func (e *Error) Error() string {
	msg := e.Kind.Error() + ": " + e.Header
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Unwrap returns Kind, so that errors.Is(err, ErrMismatch) works.
func (e *Error) Unwrap() error { return e.Kind }

// StatusCode is the HTTP status a receiver should answer for an error of
// Verify: 400 for a missing or malformed header, 401 for an expired or
// mismatched signature, 413 for a body over the limit, 500 for anything else
// (a configuration error of the receiver).
func StatusCode(err error) int {
	var tooLarge *http.MaxBytesError
	switch {
	case errors.Is(err, ErrMissingHeader), errors.Is(err, ErrBadFormat):
		return http.StatusBadRequest
	case errors.Is(err, ErrExpired), errors.Is(err, ErrMismatch):
		return http.StatusUnauthorized
	case errors.As(err, &tooLarge):
		return http.StatusRequestEntityTooLarge
	default:
		return http.StatusInternalServerError
	}
}
