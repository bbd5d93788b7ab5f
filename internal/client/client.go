// Package client is a small typed Go client of hookrelay's HTTP API, as the
// CLI uses it. Every method maps to one route; an answer other than 2xx is
// returned as an *Error.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hookrelay/hookrelay/internal/api/wire"
)

// DefaultTimeout bounds one request of a Client built without an HTTP client.
const DefaultTimeout = 30 * time.Second

// Client talks to one hookrelay server.
type Client struct {
	base  *url.URL
	token string
	http  *http.Client
}

// New returns a client of the server at baseURL (such as
// http://127.0.0.1:8080), sending token as a bearer token when not empty.
// httpClient nil means a client with DefaultTimeout.
func New(baseURL, token string, httpClient *http.Client) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("server URL %q: %w", baseURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("server URL %q: must be http:// or https:// with a host", baseURL)
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: DefaultTimeout}
	}
	return &Client{base: u, token: token, http: httpClient}, nil
}

// Error is an error answer of the API.
type Error struct {
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// Body is the API's error document: code, message and field.
	Body wire.Error
}

// Error returns the API's message with the status and code.
func (e *Error) Error() string {
	return fmt.Sprintf("%s (HTTP %d, %s)", e.Body.Message, e.StatusCode, e.Body.Code)
}

// IsNotFound reports whether err is an API answer 404.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.StatusCode == http.StatusNotFound
}

// do sends one request with body (when not nil) as JSON (a rawBody as it
// is), and decodes a 2xx answer into out (when not nil).
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	u := c.base.JoinPath(path)
	u.RawQuery = query.Encode()
	var reader io.Reader
	switch body := body.(type) {
	case nil:
	case rawBody:
		reader = bytes.NewReader(body)
	default:
		b, err := encodeJSON(body)
		if err != nil {
			return err
		}
		reader = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), reader)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err // a *url.Error: it names the method and the URL
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return decodeError(resp)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return nil
}

// call is do for a request whose answer is a T: it returns the decoded
// answer, or T's zero value with the error.
func call[T any](ctx context.Context, c *Client, method, path string, query url.Values, body any) (T, error) {
	var out T
	err := c.do(ctx, method, path, query, body, &out)
	return out, err
}

// decodeError reads an error answer; one that is not the API's JSON (a proxy
// in the way, say) keeps the start of its body as the message.
func decodeError(resp *http.Response) error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var body wire.ErrorBody
	if err := json.Unmarshal(raw, &body); err != nil || body.Error.Message == "" {
		msg := strings.TrimSpace(string(raw))
		if len(msg) > 200 {
			msg = msg[:200] + "…"
		}
		if msg == "" {
			msg = http.StatusText(resp.StatusCode)
		}
		body.Error = wire.Error{Code: "http_error", Message: msg}
	}
	return &Error{StatusCode: resp.StatusCode, Body: body.Error}
}
