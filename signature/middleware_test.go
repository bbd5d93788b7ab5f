package signature_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/testhttp"
	"github.com/hookrelay/hookrelay/signature"
)

// receiver is a loopback server behind Middleware whose handler echoes the
// body it reads and the Verified it finds in the context.
func receiver(t *testing.T, o signature.VerifyOptions) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(signature.Middleware(o, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, ok := signature.FromContext(r.Context())
		body, err := io.ReadAll(r.Body)
		if !ok || err != nil {
			http.Error(w, "no verified request in context", http.StatusInternalServerError)
			return
		}
		w.Header().Set("X-Verified-Id", v.ID)
		_, _ = w.Write(body)
	})))
	t.Cleanup(srv.Close)
	return srv
}

func post(t *testing.T, url string, h http.Header, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for name, values := range h {
		req.Header[name] = values
	}
	return testhttp.Do(t, req)
}

func TestMiddleware(t *testing.T) {
	now := time.Now()
	sign := func(secret string, ts time.Time) http.Header {
		h := http.Header{}
		if err := signature.SetHeaders(h, testID, ts, testBody, secret); err != nil {
			t.Fatal(err)
		}
		return h
	}
	srv := receiver(t, signature.VerifyOptions{Secrets: []string{testSecret}, MaxBodyBytes: int64(len(testBody))})
	tests := []struct {
		name       string
		header     http.Header
		body       []byte
		wantStatus int
		wantError  string
	}{
		{"valid: next reads the restored body", sign(testSecret, now), testBody, http.StatusOK, ""},
		{"unsigned", http.Header{}, testBody, http.StatusBadRequest, "missing header: webhook-signature"},
		{"malformed", func() http.Header { h := sign(testSecret, now); h.Set("webhook-timestamp", "soon"); return h }(), testBody, http.StatusBadRequest, "bad header format: webhook-timestamp"},
		{"replayed", sign(testSecret, now.Add(-10*time.Minute)), testBody, http.StatusUnauthorized, "timestamp outside tolerance: webhook-timestamp"},
		{"wrong secret", sign(otherKey, now), testBody, http.StatusUnauthorized, "signature mismatch: webhook-signature"},
		{"body over the limit", sign(testSecret, now), append(bytes.Clone(testBody), ' '), http.StatusRequestEntityTooLarge, "read body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, answer := post(t, srv.URL, tt.header, tt.body)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, answer, tt.wantStatus)
			}
			if tt.wantError == "" {
				if !bytes.Equal(answer, testBody) || resp.Header.Get("X-Verified-Id") != testID {
					t.Errorf("next saw body %q, id %q", answer, resp.Header.Get("X-Verified-Id"))
				}
				return
			}
			var e struct{ Error string }
			if err := json.Unmarshal(answer, &e); err != nil || resp.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("answer %q is not a JSON error (%v)", answer, err)
			}
			if !strings.HasPrefix(e.Error, tt.wantError) {
				t.Errorf("error %q, want it to start with %q", e.Error, tt.wantError)
			}
		})
	}
}
