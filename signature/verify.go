package signature

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultTolerance is how far a request's timestamp may be from now, in
// either direction, when VerifyOptions.Tolerance is zero.
const DefaultTolerance = 5 * time.Minute

// Scheme names the header family a request was verified with.
type Scheme string

// The header families Verify accepts.
const (
	// SchemeStandardWebhooks: webhook-id, webhook-timestamp, webhook-signature.
	SchemeStandardWebhooks Scheme = "standard-webhooks"
	// SchemeXSignature: X-Event-Id, X-Timestamp, X-Signature.
	SchemeXSignature Scheme = "x-signature"
)

// VerifyOptions configure Verify and Middleware.
type VerifyOptions struct {
	// Secrets are the candidate secrets (see Key); a request is valid if it
	// carries a signature made with any of them. During a rotation, list the
	// new secret and the previous one.
	Secrets []string
	// Tolerance bounds |now − timestamp|: 0 means DefaultTolerance, a
	// negative value disables the check (replays are then accepted).
	Tolerance time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// MaxBodyBytes bounds the body Middleware and VerifyRequest read: 0 means
	// DefaultMaxBodyBytes, a negative value means no limit.
	MaxBodyBytes int64
}

// Verified describes a request whose signature checked out.
type Verified struct {
	// ID is the event id (webhook-id or X-Event-Id), the de-duplication key.
	ID string
	// Timestamp is when the request was signed.
	Timestamp time.Time
	// Scheme is the header family that was verified.
	Scheme Scheme
	// SecretIndex is the index in VerifyOptions.Secrets of the secret that
	// matched (during a rotation, 0 the new one, 1 the previous one).
	SecretIndex int
}

// scheme is one header family: its header names and how its signature
// header is written.
type scheme struct {
	name         Scheme
	id, ts, sig  string
	isSeparator  func(rune) bool // between entries of the signature header
	versionSep   string          // between an entry's version and its value
	version      string          // the only version that is checked
	decode       func(string) ([]byte, error)
	encodingName string
}

var (
	standardScheme = scheme{
		name: SchemeStandardWebhooks, id: HeaderWebhookID, ts: HeaderWebhookTimestamp, sig: HeaderWebhookSignature,
		isSeparator: func(r rune) bool { return r == ' ' },
		versionSep:  ",", version: versionV1,
		decode: base64.StdEncoding.DecodeString, encodingName: "base64",
	}
	xScheme = scheme{
		name: SchemeXSignature, id: HeaderEventID, ts: HeaderTimestamp, sig: HeaderSignature,
		isSeparator: func(r rune) bool { return r == ',' || r == ' ' },
		versionSep:  "=", version: algorithmHex,
		decode: hex.DecodeString, encodingName: "hex",
	}
)

// Verify checks a request's headers and body against the candidate secrets.
// It accepts the Standard Webhooks family (webhook-*) and the X-* family
// (X-Event-Id, X-Timestamp, X-Signature), preferring the Standard Webhooks
// one when a request carries any of its headers. A signature header may list
// several signatures; one that matches any secret is enough.
//
// Checks run in this order, and the first failure is returned as an *Error:
// headers present (ErrMissingHeader), timestamp and signatures well formed
// (ErrBadFormat), timestamp within the tolerance (ErrExpired), a signature
// matching (ErrMismatch). Without secrets it returns ErrNoSecret; with a
// malformed secret, ErrInvalidSecret.
func Verify(h http.Header, body []byte, opts VerifyOptions) (Verified, error) {
	if len(opts.Secrets) == 0 {
		return Verified{}, ErrNoSecret
	}
	sc, err := pickScheme(h)
	if err != nil {
		return Verified{}, err
	}
	id, tsValue, sigValue := h.Get(sc.id), h.Get(sc.ts), h.Get(sc.sig)
	for _, hv := range [][2]string{{sc.id, id}, {sc.ts, tsValue}, {sc.sig, sigValue}} {
		if hv[1] == "" {
			return Verified{}, &Error{Kind: ErrMissingHeader, Header: hv[0]}
		}
	}
	unix, err := parseTimestamp(sc.ts, tsValue)
	if err != nil {
		return Verified{}, err
	}
	sigs, err := sc.parseSignatures(sigValue)
	if err != nil {
		return Verified{}, err
	}
	ts := time.Unix(unix, 0)
	if err := checkTolerance(sc.ts, ts, opts); err != nil {
		return Verified{}, err
	}
	if len(sigs) == 0 {
		return Verified{}, &Error{Kind: ErrMismatch, Header: sc.sig, Detail: "no " + sc.version + " signature to check"}
	}
	expected, err := macs(opts.Secrets, Key, signedContent(id, unix, body)...)
	if err != nil {
		return Verified{}, err
	}
	for i, want := range expected {
		for _, got := range sigs {
			if hmac.Equal(want, got) {
				return Verified{ID: id, Timestamp: ts, Scheme: sc.name, SecretIndex: i}, nil
			}
		}
	}
	return Verified{}, &Error{Kind: ErrMismatch, Header: sc.sig, Detail: fmt.Sprintf(
		"none of %s matches %s over %s.%d.<body of %d bytes>",
		plural(len(sigs), "signature"), plural(len(expected), "secret"), id, unix, len(body))}
}

// pickScheme chooses the header family of h.
func pickScheme(h http.Header) (scheme, error) {
	for _, sc := range []scheme{standardScheme, xScheme} {
		if h.Get(sc.sig) != "" || h.Get(sc.ts) != "" {
			return sc, nil
		}
	}
	if h.Get(HeaderWebhookID) != "" {
		return standardScheme, nil
	}
	return scheme{}, &Error{Kind: ErrMissingHeader, Header: HeaderWebhookSignature,
		Detail: "the request carries neither " + HeaderWebhookSignature + " nor " + HeaderSignature}
}

// parseTimestamp reads unix seconds: decimal digits only.
func parseTimestamp(header, value string) (int64, error) {
	bad := &Error{Kind: ErrBadFormat, Header: header, Detail: quote(value) + " is not unix seconds"}
	if strings.TrimLeft(value, "0123456789") != "" {
		return 0, bad
	}
	unix, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return 0, bad
	}
	return unix, nil
}

// checkTolerance fails with ErrExpired when ts is further from now than the
// tolerance of opts.
func checkTolerance(header string, ts time.Time, opts VerifyOptions) error {
	tolerance := opts.Tolerance
	if tolerance < 0 {
		return nil
	}
	if tolerance == 0 {
		tolerance = DefaultTolerance
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	t := now()
	age := t.Sub(ts)
	switch {
	case age > tolerance:
		return &Error{Kind: ErrExpired, Header: header, Detail: fmt.Sprintf(
			"%d is %s old, more than the %s tolerance", ts.Unix(), age.Round(time.Second), tolerance)}
	case -age > tolerance:
		return &Error{Kind: ErrExpired, Header: header, Detail: fmt.Sprintf(
			"%d is %s in the future, more than the %s tolerance", ts.Unix(), (-age).Round(time.Second), tolerance)}
	}
	return nil
}

// parseSignatures returns the MACs a signature header carries for the
// scheme's version. Entries are "<version><sep><encoded MAC>"; entries of
// other versions are skipped, and a malformed entry fails the whole header.
func (sc scheme) parseSignatures(value string) ([][]byte, error) {
	entries := strings.FieldsFunc(value, sc.isSeparator)
	if len(entries) == 0 {
		return nil, &Error{Kind: ErrBadFormat, Header: sc.sig, Detail: "no signature in " + quote(value)}
	}
	var sigs [][]byte
	for _, entry := range entries {
		version, encoded, ok := strings.Cut(entry, sc.versionSep)
		if !ok || version == "" || encoded == "" {
			return nil, &Error{Kind: ErrBadFormat, Header: sc.sig, Detail: fmt.Sprintf(
				"entry %s is not %q", quote(entry), "<version>"+sc.versionSep+"<signature>")}
		}
		if version != sc.version {
			continue
		}
		sig, err := sc.decode(encoded)
		if err != nil {
			return nil, &Error{Kind: ErrBadFormat, Header: sc.sig, Detail: fmt.Sprintf(
				"%s signature %s is not %s", sc.version, quote(encoded), sc.encodingName)}
		}
		if len(sig) != sha256.Size {
			return nil, &Error{Kind: ErrBadFormat, Header: sc.sig, Detail: fmt.Sprintf(
				"%s signature %s is %d bytes, want %d", sc.version, quote(encoded), len(sig), sha256.Size)}
		}
		sigs = append(sigs, sig)
	}
	return sigs, nil
}

// quote quotes a header value for an error message, cut to a readable length.
func quote(s string) string {
	const max = 48
	if len(s) > max {
		return strconv.Quote(s[:max]) + "…"
	}
	return strconv.Quote(s)
}

// plural returns "1 thing" or "n things".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return strconv.Itoa(n) + " " + thing + "s"
}
