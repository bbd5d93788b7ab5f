package receiver_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/receiver"
	"github.com/hookrelay/hookrelay/signature"
)

// challengeBody is a webhook.verification request's body.
var challengeBody = []byte(`{"id":"evt_0190b6a4","type":"webhook.verification","timestamp":"2026-01-02T03:04:05Z","data":{"challenge":"c-0123456789"}}`)

// TestListenAnswersChallenges: with a secret, listen answers a signed
// challenge with it (even when told to answer 503), refuses a forged one,
// and does not forward it; without a secret it answers no challenge.
func TestListenAnswersChallenges(t *testing.T) {
	url, out := startServe(t, receiver.ListenOptions{Secrets: []string{secret}, Status: http.StatusServiceUnavailable,
		ForwardTo: "http://127.0.0.1:9/app"})
	status, answer := send(t, newSignedRequest(t, url+"/hooks", time.Now(), challengeBody, secret))
	if status != http.StatusOK || !signature.AnswersChallenge([]byte(answer), "c-0123456789") {
		t.Errorf("signed challenge: %d %q, want 200 with the challenge", status, answer)
	}
	if !strings.Contains(out.String(), "answered   the verification challenge") {
		t.Errorf("output does not say the challenge was answered:\n%s", out)
	}
	status, answer = send(t, newSignedRequest(t, url+"/hooks", time.Now(), challengeBody, otherSecret))
	if status != http.StatusUnauthorized || strings.Contains(answer, "c-0123456789") {
		t.Errorf("forged challenge: %d %q, want 401 without the challenge", status, answer)
	}

	open, _ := startServe(t, receiver.ListenOptions{})
	status, answer = send(t, newSignedRequest(t, open+"/hooks", time.Now(), challengeBody, secret))
	if status != http.StatusOK || strings.Contains(answer, "c-0123456789") {
		t.Errorf("challenge to a receiver without secret: %d %q, want the usual answer, without the challenge", status, answer)
	}
}
