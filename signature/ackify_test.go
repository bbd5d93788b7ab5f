package signature_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/signature"
)

// ackifyReceiverAccepts is an independent implementation of what an Ackify CE
// receiver checks: X-Ackify-Signature is sha256=<hex HMAC-SHA256> over
// "<X-Ackify-Timestamp>.<X-Ackify-Event-Id>.<X-Ackify-Event>.<body>", keyed
// with the secret string as it is. Like Ackify's own receivers, it compares
// the whole header with the one value it computes.
func ackifyReceiverAccepts(h http.Header, body []byte, secret string) bool {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "%s.%s.%s.%s", h.Get("X-Ackify-Timestamp"), h.Get("X-Ackify-Event-Id"), h.Get("X-Ackify-Event"), body)
	want := "sha256=" + hex.EncodeToString(m.Sum(nil))
	return len(h.Values("X-Ackify-Signature")) == 1 && hmac.Equal([]byte(h.Get("X-Ackify-Signature")), []byte(want))
}

func TestSetAckifyHeaders(t *testing.T) {
	const plain = "ackify-shared-secret"
	tests := []struct {
		name     string
		signWith string
		receiver string
		want     bool
	}{
		{"plain secret", plain, plain, true},
		{"whsec_ secret keyed as its raw string", testSecret, testSecret, true},
		{"whsec_ secret that is not base64, keyed as its raw string", "whsec_my-ackify-secret", "whsec_my-ackify-secret", true},
		{"wrong secret", plain, "another", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if err := signature.SetAckifyHeaders(h, testID, "document.created", testTime, testBody, tt.signWith); err != nil {
				t.Fatal(err)
			}
			if h.Get("X-Ackify-Event") != "document.created" || h.Get("X-Ackify-Event-Id") != testID || h.Get("X-Ackify-Timestamp") != "1700000000" {
				t.Errorf("headers = %v", h)
			}
			if strings.Contains(h.Get("X-Ackify-Signature"), ",") {
				t.Errorf("X-Ackify-Signature %q lists several values; Ackify sends one", h.Get("X-Ackify-Signature"))
			}
			if got := ackifyReceiverAccepts(h, testBody, tt.receiver); got != tt.want {
				t.Errorf("Ackify receiver accepts = %v, want %v (X-Ackify-Signature %s)", got, tt.want, h.Get("X-Ackify-Signature"))
			}
			if tt.want && ackifyReceiverAccepts(h, append(testBody, ' '), tt.receiver) {
				t.Error("Ackify receiver accepts a tampered body")
			}
		})
	}
}

func TestSetAckifyHeadersPinnedValue(t *testing.T) {
	// Computed outside Go: printf '%s' '1700000000.evt_01J9ZQ.document.created.{"ok":true}' |
	// openssl dgst -sha256 -hmac ackify-shared-secret
	const want = "sha256=646b856f0b7d6156da6ecf5f4cefb21dbd1bbfabccd7cd246babf2fa2cef7ccd"
	h := http.Header{}
	if err := signature.SetAckifyHeaders(h, testID, "document.created", testTime, []byte(`{"ok":true}`), "ackify-shared-secret"); err != nil {
		t.Fatal(err)
	}
	if got := h.Get("X-Ackify-Signature"); got != want {
		t.Errorf("X-Ackify-Signature = %s, want %s", got, want)
	}
}
