package signature

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// DefaultMaxBodyBytes is the body limit of Middleware and VerifyRequest when
// VerifyOptions.MaxBodyBytes is zero.
const DefaultMaxBodyBytes = 1 << 20

type contextKey struct{}

// NewContext returns a copy of ctx that carries v.
func NewContext(ctx context.Context, v Verified) context.Context {
	return context.WithValue(ctx, contextKey{}, v)
}

// FromContext returns the Verified that Middleware stored in ctx.
func FromContext(ctx context.Context) (Verified, bool) {
	v, ok := ctx.Value(contextKey{}).(Verified)
	return v, ok
}

// VerifyRequest reads r's body (up to opts.MaxBodyBytes), puts it back so
// that r.Body can be read again, and verifies r. It returns the body even
// when verification fails, so that a caller can show what was rejected; the
// body is nil only when reading it failed.
func VerifyRequest(w http.ResponseWriter, r *http.Request, opts VerifyOptions) (Verified, []byte, error) {
	reader := r.Body
	switch {
	case opts.MaxBodyBytes == 0:
		reader = http.MaxBytesReader(w, r.Body, DefaultMaxBodyBytes)
	case opts.MaxBodyBytes > 0:
		reader = http.MaxBytesReader(w, r.Body, opts.MaxBodyBytes)
	}
	body, err := io.ReadAll(reader)
	if err != nil {
		return Verified{}, nil, fmt.Errorf("read body: %w", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	v, err := Verify(r.Header, body, opts)
	return v, body, err
}

// Middleware verifies every request before next sees it. It answers a
// rejected request itself, with a JSON body {"error": "<exact reason>"}:
// 400 for a missing or malformed header, 401 for an expired or mismatched
// signature, 413 for a body over opts.MaxBodyBytes. A verified
// verification request (an endpoint's challenge: see ChallengeOf) is
// answered too, with 200 and ChallengeAnswer, which proves ownership of the
// endpoint to hookrelay; next never sees one. Any other verified request
// reaches next with its body restored and the Verified in its context
// (see FromContext).
func Middleware(opts VerifyOptions, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, body, err := VerifyRequest(w, r, opts)
		if err != nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(StatusCode(err))
			_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
			return
		}
		if answerChallenge(w, r, body) {
			return
		}
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), v)))
	})
}
