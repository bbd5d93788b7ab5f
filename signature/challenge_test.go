package signature_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/signature"
)

func TestAnswersChallenge(t *testing.T) {
	const c = "hX3r9-challenge_Q"
	tests := []struct {
		body string
		want bool
	}{
		{c, true},
		{"  " + c + "\r\n", true},
		{`{"challenge":"` + c + `"}`, true},
		{` {"ok": true, "challenge": "` + c + `"} `, true},
		{string(signature.ChallengeAnswer(c)), true},
		{"", false},
		{c + "x", false},
		{"x" + c, false},
		{`"` + c + `"`, false},
		{`{"challenge":"` + c + `x"}`, false},
		{`{"challenge":null}`, false},
		{`{"Challenge":1}`, false},
		{`{"other":"` + c + `"}`, false},
		{`["` + c + `"]`, false},
		{`{"challenge":"` + c + `"`, false},
		{"ok, " + c, false},
	}
	for _, tt := range tests {
		if got := signature.AnswersChallenge([]byte(tt.body), c); got != tt.want {
			t.Errorf("AnswersChallenge(%q) = %v, want %v", tt.body, got, tt.want)
		}
	}
	if signature.AnswersChallenge([]byte(""), "") || signature.AnswersChallenge([]byte(`{"challenge":""}`), "") {
		t.Error("an empty challenge was answered")
	}
}

func TestChallengeOf(t *testing.T) {
	envelope := func(eventType, data string) []byte {
		return []byte(`{"id":"e1","type":"` + eventType + `","timestamp":"2026-01-01T00:00:00Z","data":` + data + `}`)
	}
	ackify := http.Header{signature.HeaderAckifyEvent: {signature.VerificationEventType}}
	tests := []struct {
		name   string
		header http.Header
		body   []byte
		want   string
		ok     bool
	}{
		{"envelope", http.Header{}, envelope("webhook.verification", `{"challenge":"abc"}`), "abc", true},
		{"ackify profile", ackify, []byte(`{"challenge":"abc"}`), "abc", true},
		{"another type", http.Header{}, envelope("document.created", `{"challenge":"abc"}`), "", false},
		{"no challenge", http.Header{}, envelope("webhook.verification", `{}`), "", false},
		{"not JSON", http.Header{}, []byte("abc"), "", false},
		{"ackify without challenge", ackify, []byte(`{"x":1}`), "", false},
	}
	for _, tt := range tests {
		got, ok := signature.ChallengeOf(tt.header, tt.body)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: ChallengeOf = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

// TestMiddlewareAnswersChallenges: a signed verification request is
// answered by the middleware with its challenge (the handler never sees
// it), an unsigned one is refused, and other events reach the handler.
func TestMiddlewareAnswersChallenges(t *testing.T) {
	srv := receiver(t, signature.VerifyOptions{Secrets: []string{testSecret}})
	body := []byte(`{"id":"` + testID + `","type":"webhook.verification","timestamp":"2026-01-01T00:00:00Z","data":{"challenge":"c-123"}}`)
	signed := http.Header{}
	if err := signature.SetHeaders(signed, testID, time.Now(), body, testSecret); err != nil {
		t.Fatal(err)
	}
	resp, got := post(t, srv.URL, signed, body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Verified-Id") != "" ||
		!signature.AnswersChallenge(got, "c-123") || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("signed challenge: %d %q (handler id %q), want 200 with the challenge from the middleware",
			resp.StatusCode, got, resp.Header.Get("X-Verified-Id"))
	}

	forged := http.Header{}
	if err := signature.SetHeaders(forged, testID, time.Now(), body, "whsec_"+strings.Repeat("A", 32)); err != nil {
		t.Fatal(err)
	}
	if resp, got := post(t, srv.URL, forged, body); resp.StatusCode != http.StatusUnauthorized || signature.AnswersChallenge(got, "c-123") {
		t.Errorf("challenge signed with another secret: %d %q, want 401 without the challenge", resp.StatusCode, got)
	}

	other := []byte(`{"id":"` + testID + `","type":"document.created","timestamp":"2026-01-01T00:00:00Z","data":{"challenge":"c-123"}}`)
	h := http.Header{}
	if err := signature.SetHeaders(h, testID, time.Now(), other, testSecret); err != nil {
		t.Fatal(err)
	}
	if resp, got := post(t, srv.URL, h, other); resp.StatusCode != http.StatusOK || resp.Header.Get("X-Verified-Id") != testID || string(got) != string(other) {
		t.Errorf("another event: %d %q, want it handed to the handler", resp.StatusCode, got)
	}
}
