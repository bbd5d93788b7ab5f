package receiver

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// ForwardTimeout bounds one forwarded request, from sending it to the app to
// reading the app's whole answer.
const ForwardTimeout = 30 * time.Second

// maxForwardAnswerBytes bounds the app's answer that listen relays: a
// webhook answer is short, and a larger one is cut.
const maxForwardAnswerBytes = 1 << 20

// hopHeaders are the hop-by-hop headers of RFC 9110 section 7.6.1, which a
// forwarder does not pass on.
var hopHeaders = []string{
	"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
	"Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

// parseForwardURL checks a --forward-to value: an absolute http or https URL.
func parseForwardURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("forward-to %q: %w", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("forward-to %q: must be an http:// or https:// URL such as http://localhost:3000/webhooks", raw)
	}
	return u, nil
}

// forwardTarget is where a request to path?query goes: the target's path
// when the request came to "/", else the target's path joined with the
// request's path, cleaned first (so that "/../x" or "%2e%2e" cannot climb
// above the target's path); the query strings are merged, the target's own
// parameters winning over the sender's of the same name.
func forwardTarget(target *url.URL, r *http.Request) *url.URL {
	u := *target
	if p := path.Clean("/" + r.URL.Path); p != "/" {
		u.Path = strings.TrimSuffix(target.Path, "/") + p
		u.RawPath = ""
	}
	if target.RawQuery == "" || r.URL.RawQuery == "" {
		u.RawQuery = target.RawQuery + r.URL.RawQuery
	} else {
		q := r.URL.Query()
		maps.Copy(q, target.Query())
		u.RawQuery = q.Encode()
	}
	return &u
}

// dropHopHeaders removes from h the hop-by-hop headers: those of hopHeaders
// and those that its Connection header names (RFC 9110, section 7.6.1).
func dropHopHeaders(h http.Header) {
	for _, v := range h.Values("Connection") {
		for name := range strings.SplitSeq(v, ",") {
			if name = strings.TrimSpace(name); name != "" {
				h.Del(name)
			}
		}
	}
	for _, name := range hopHeaders {
		h.Del(name)
	}
}

// forwarded is the app's answer to a forwarded request.
type forwarded struct {
	status int
	header http.Header
	body   []byte
	cut    bool  // the body was longer than maxForwardAnswerBytes
	err    error // the app could not be reached or did not answer
}

// forward sends r (already read: its body is body) to the app at target with
// the same method, path, headers and body, and returns the app's answer.
func forward(ctx context.Context, c *http.Client, target *url.URL, r *http.Request, body []byte) forwarded {
	to := forwardTarget(target, r)
	ctx, cancel := context.WithTimeout(ctx, ForwardTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, r.Method, to.String(), bytes.NewReader(body))
	if err != nil {
		return forwarded{err: fmt.Errorf("forward to %s: %w", to.Redacted(), err)}
	}
	req.Header = r.Header.Clone()
	dropHopHeaders(req.Header)
	if ip, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		req.Header.Add("X-Forwarded-For", ip)
	}
	resp, err := c.Do(req)
	if err != nil {
		return forwarded{err: err} // a *url.Error: it names the method and URL
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxForwardAnswerBytes+1))
	if err != nil {
		return forwarded{err: fmt.Errorf("read the answer of %s: %w", to.Redacted(), err)}
	}
	cut := len(answer) > maxForwardAnswerBytes
	if cut {
		answer = answer[:maxForwardAnswerBytes]
	}
	header := resp.Header.Clone()
	dropHopHeaders(header)
	header.Del("Content-Length")
	return forwarded{status: resp.StatusCode, header: header, body: answer, cut: cut}
}

// newForwardClient is the client that forwards: no redirects followed, so
// that the sender sees the app's own answer, and no compression asked for,
// so that the app gets the sender's headers as they were.
func newForwardClient() *http.Client {
	return &http.Client{
		Transport:     &http.Transport{DisableCompression: true, Proxy: nil},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// forwardAnswer forwards a verified request to the app at rawTarget and
// returns the answer for the sender (the app's, or 502 saying why there is
// none) and the line listen prints about it.
func forwardAnswer(r *http.Request, c *http.Client, rawTarget string, body []byte) (int, http.Header, []byte, string) {
	target, err := parseForwardURL(rawTarget)
	var res forwarded
	if err == nil {
		res = forward(r.Context(), c, target, r, body)
		err = res.err
	}
	if err != nil {
		msg := fmt.Sprintf("app not reached: %v", err)
		return http.StatusBadGateway, http.Header{"Content-Type": {"text/plain; charset=utf-8"}},
			[]byte("hookrelay listen: " + msg + "\n"), "  forwarded  " + msg + "; answered 502\n"
	}
	size := fmt.Sprintf("%d bytes", len(res.body))
	if res.cut {
		size = fmt.Sprintf("cut at %d bytes", len(res.body))
	}
	return res.status, res.header, res.body,
		fmt.Sprintf("  forwarded  to %s: the app answered %d (%s)\n", forwardTarget(target, r).Redacted(), res.status, size)
}

// redactedURL is raw with any password replaced by "xxxxx", fit to print.
func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(a URL that does not parse)"
	}
	return u.Redacted()
}
