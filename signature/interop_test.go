package signature_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/hookrelay/hookrelay/internal/testhttp"
	"github.com/hookrelay/hookrelay/signature"
)

// officialReceiver is a loopback server that verifies every request with the
// official Standard Webhooks Go library, keyed with secret, and answers 204
// or 401 with the library's error.
func officialReceiver(t *testing.T, secret string) *httptest.Server {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatalf("official library refuses secret: %v", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err == nil {
			err = wh.Verify(body, r.Header)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// postSigned sends body to url signed by hookrelay with secrets, with
// tamper applied to the body after signing, and returns the status and answer.
func postSigned(t *testing.T, url string, body []byte, tamper func([]byte) []byte, secrets ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := signature.SetHeaders(req.Header, "evt_interop_1", time.Now(), body, secrets...); err != nil {
		t.Fatal(err)
	}
	sent := tamper(bytes.Clone(body))
	req.Body = io.NopCloser(bytes.NewReader(sent))
	req.ContentLength = int64(len(sent))
	resp, answer := testhttp.Do(t, req)
	return resp.StatusCode, string(answer)
}

func unchanged(b []byte) []byte { return b }

func TestOfficialLibraryVerifiesHookrelayRequests(t *testing.T) {
	current, err := signature.GenerateSecret()
	if err != nil {
		t.Fatal(err)
	}
	previous, err := signature.GenerateSecret()
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := signature.GenerateSecret()
	if err != nil {
		t.Fatal(err)
	}
	plain := "change-me: a WEBHOOK_SECRET chosen by hand"
	plainStandard, err := signature.StandardSecret(plain)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"id":"evt_interop_1","type":"document.created","data":{"document_id":"doc-1"}}`)
	flip := func(b []byte) []byte { b[len(b)-2] ^= 1; return b }

	tests := []struct {
		name           string
		receiverSecret string
		signWith       []string
		tamper         func([]byte) []byte
		wantStatus     int
	}{
		{"generated secret", current, []string{current}, unchanged, http.StatusNoContent},
		{"rotation, receiver knows the new secret", current, []string{current, previous}, unchanged, http.StatusNoContent},
		{"rotation, receiver still has the previous secret", previous, []string{current, previous}, unchanged, http.StatusNoContent},
		{"plain WEBHOOK_SECRET given to the library in whsec_ form", plainStandard, []string{plain}, unchanged, http.StatusNoContent},
		{"after the rotation window, the previous secret fails", previous, []string{current}, unchanged, http.StatusUnauthorized},
		{"wrong secret", stranger, []string{current, previous}, unchanged, http.StatusUnauthorized},
		{"tampered body", current, []string{current}, flip, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := officialReceiver(t, tt.receiverSecret)
			status, answer := postSigned(t, srv.URL, body, tt.tamper, tt.signWith...)
			if status != tt.wantStatus {
				t.Errorf("official library answered %d (%s), want %d", status, answer, tt.wantStatus)
			}
		})
	}
}

func TestHookrelayVerifiesOfficialLibrarySignatures(t *testing.T) {
	secret, err := signature.GenerateSecret()
	if err != nil {
		t.Fatal(err)
	}
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"type":"contact.created"}`)
	now := time.Now()
	sig, err := wh.Sign("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", now, body)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set(standardwebhooks.HeaderWebhookID, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W")
	h.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(now.Unix(), 10))
	h.Set(standardwebhooks.HeaderWebhookSignature, sig)
	v, err := signature.Verify(h, body, signature.VerifyOptions{Secrets: []string{secret}})
	if err != nil {
		t.Fatalf("Verify rejected the official library's signature: %v", err)
	}
	if v.ID != "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W" || v.Scheme != signature.SchemeStandardWebhooks {
		t.Errorf("Verified = %+v", v)
	}
	if _, err := signature.Verify(h, append(body, ' '), signature.VerifyOptions{Secrets: []string{secret}}); !errors.Is(err, signature.ErrMismatch) {
		t.Errorf("tampered body: error = %v, want ErrMismatch", err)
	}
}
