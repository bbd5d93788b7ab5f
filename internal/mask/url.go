package mask

import (
	"net/url"
	"regexp"
	"strings"
)

// URL returns raw, an endpoint URL, without what may be a secret: its user
// information, query string and fragment are left out
// ("https://user:pw@example.com/hook?token=x" is
// "https://example.com/hook"). It is the URL that spans (url.full) and logs
// show. A raw that does not parse loses everything from its first "?" or
// "#", and its user information.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.IndexAny(raw, "?#"); i >= 0 {
			raw = raw[:i]
		}
		scheme, rest, ok := strings.Cut(raw, "://")
		if at := strings.LastIndex(rest, "@"); ok && at >= 0 {
			raw = scheme + "://" + rest[at+1:]
		}
		return raw
	}
	clean := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return clean.String()
}

// urlInText matches an http(s) URL in a message, up to a space or a quote:
// Go's *url.Error writes `Post "https://…?token=…": dial tcp …`.
var urlInText = regexp.MustCompile(`https?://[^\s"'<>]+`)

// URLsIn returns text, an error message, with every http(s) URL in it
// masked as URL masks one: the attempt errors that spans and logs show,
// which quote the endpoint's URL.
func URLsIn(text string) string {
	if !strings.Contains(text, "://") {
		return text
	}
	return urlInText.ReplaceAllStringFunc(text, URL)
}
