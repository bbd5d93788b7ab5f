// Package testhttp sends the HTTP requests of tests: a request that cannot
// be sent, or whose answer cannot be read, fails the test.
package testhttp

import (
	"io"
	"net/http"
	"testing"
)

// Do sends req with http.DefaultClient and returns the answer with its body
// read in full (and closed).
func Do(t testing.TB, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read the answer: %v", req.Method, req.URL, err)
	}
	return resp, body
}

// Get is Do of a GET of url.
func Get(t testing.TB, url string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return Do(t, req)
}
