package ui

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
)

// apiBaseURL is the made-up address of the in-process API; no request to it
// ever leaves the process.
const apiBaseURL = "http://hookrelay-api.invalid"

// apiTransport is an http.RoundTripper that answers every request with the
// API handler in the same process. It lets the dashboard be a client of the
// API through internal/client, so that validation, secret masking, rotation
// and the delivery actions are the API's own code, without a network hop.
type apiTransport struct {
	api http.Handler
}

// RoundTrip serves req with the API handler and returns its buffered answer.
func (t apiTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	in := req.Clone(req.Context())
	if in.Body == nil {
		in.Body = http.NoBody
	}
	in.RequestURI = req.URL.RequestURI()
	in.Host = req.URL.Host
	out := &responseBuffer{header: http.Header{}}
	t.api.ServeHTTP(out, in)
	if req.Body != nil {
		req.Body.Close()
	}
	if out.status == 0 {
		out.status = http.StatusOK
	}
	return &http.Response{
		Status:        strconv.Itoa(out.status) + " " + http.StatusText(out.status),
		StatusCode:    out.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        out.header,
		Body:          io.NopCloser(bytes.NewReader(out.body.Bytes())),
		ContentLength: int64(out.body.Len()),
		Request:       req,
	}, nil
}

// responseBuffer is an http.ResponseWriter that keeps the answer in memory.
type responseBuffer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

// Header returns the answer's headers.
func (b *responseBuffer) Header() http.Header { return b.header }

// WriteHeader records the first status written.
func (b *responseBuffer) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

// Write appends to the body, with status 200 unless one was written.
func (b *responseBuffer) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}
