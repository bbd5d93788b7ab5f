package receiver_test

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/signature"
)

const (
	secret      = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	otherSecret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
	eventID     = "evt_0190b6a4"
	eventType   = "document.created"
)

var body = []byte(`{"id":"evt_0190b6a4","type":"document.created","timestamp":"2026-01-02T03:04:05Z","data":{"document_id":"doc-1"}}`)

// prettyBody is body as the receiver kit prints it.
const prettyBody = `{
    "id": "evt_0190b6a4",`

// newSignedRequest returns a POST to url carrying body, signed at ts with
// secrets as hookrelay signs it.
func newSignedRequest(t *testing.T, url string, ts time.Time, payload []byte, secrets ...string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Event-Type", eventType)
	if err := signature.SetHeaders(req.Header, eventID, ts, payload, secrets...); err != nil {
		t.Fatal(err)
	}
	return req
}

// writeFile writes content to a new file in a test folder and returns its path.
func writeFile(t *testing.T, name string, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
