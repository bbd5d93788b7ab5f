// Package mask hides secrets wherever hookrelay shows them (the API, the
// dashboard, attempt records, logs): a mask shows at most the secret's public
// part (the "whsec_" prefix, an Authorization scheme such as "Bearer") and,
// for a long secret, its last four characters, enough to tell two apart and
// never enough to help guess one.
package mask

import (
	"strings"

	"github.com/hookrelay/hookrelay/signature"
)

const (
	// shown is how many trailing characters a long secret shows.
	shown = 4
	// showFrom is the shortest secret (after its public part) whose last
	// characters are shown: four of 20 leave 16 characters hidden.
	showFrom = 20
)

// Secret masks a signing secret: "whsec_…" and the last 4 characters of a
// whsec_ secret, "…" and the last 4 of another one of 20 characters or more,
// "…" alone otherwise.
func Secret(secret string) string {
	if rest, ok := strings.CutPrefix(secret, signature.SecretPrefix); ok {
		return signature.SecretPrefix + tail(rest)
	}
	return tail(secret)
}

// HeaderValue masks the value of a custom header, which may be a receiver
// credential: a known authentication scheme ("Bearer abc…") is kept
// and the rest is masked as Secret masks; any other value is masked whole.
func HeaderValue(value string) string {
	if scheme, rest, ok := strings.Cut(value, " "); ok && isScheme(scheme) && rest != "" {
		return scheme + " " + tail(strings.TrimSpace(rest))
	}
	return tail(value)
}

// Headers returns a copy of headers with every value masked (HeaderValue);
// names are kept. It returns nil for nil.
func Headers(headers map[string]string) map[string]string {
	if headers == nil {
		return nil
	}
	out := make(map[string]string, len(headers))
	for name, value := range headers {
		out[name] = HeaderValue(value)
	}
	return out
}

// RequestHeaders returns a copy of the headers a request sent with the value
// of every header that own does not claim masked (HeaderValue): hookrelay's
// own headers (own is store.IsReservedHeader) are shown as sent, an
// endpoint's custom ones, which may be the receiver's credentials, never
// are. It returns nil for nil.
func RequestHeaders(headers map[string]string, own func(name string) bool) map[string]string {
	if headers == nil {
		return nil
	}
	out := make(map[string]string, len(headers))
	for name, value := range headers {
		out[name] = value
		if !own(name) {
			out[name] = HeaderValue(value)
		}
	}
	return out
}

// tail is "…" then, when s is long enough, its last characters.
func tail(s string) string {
	if len(s) < showFrom {
		return "…"
	}
	return "…" + s[len(s)-shown:]
}

// schemes are the HTTP authentication schemes a mask shows (IANA HTTP
// Authentication Scheme Registry, and the common "Token" and "ApiKey"),
// lower-case.
var schemes = map[string]bool{
	"basic": true, "bearer": true, "digest": true, "hoba": true, "mutual": true, "negotiate": true,
	"ntlm": true, "vapid": true, "scram-sha-1": true, "scram-sha-256": true, "token": true, "apikey": true,
}

// isScheme reports whether word is a known authentication scheme.
func isScheme(word string) bool {
	return schemes[strings.ToLower(word)]
}
