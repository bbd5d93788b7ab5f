package signature

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"net/http"
)

// VerificationEventType is the type of the event hookrelay sends an endpoint
// created with require_verification to prove that its owner wants the
// traffic: its data is {"challenge": "<random string>"}, and the endpoint
// receives nothing else until it answers 2xx with a body that
// AnswersChallenge accepts.
const VerificationEventType = "webhook.verification"

// MaxChallengeAnswerBytes is the most of an answer's body that hookrelay
// reads for the challenge: a longer answer is cut there, so an echo must
// fit in it.
const MaxChallengeAnswerBytes = 4 << 10

// ChallengeOf returns the challenge of a verification request, from its
// headers and raw body: the data.challenge of an envelope whose type is
// VerificationEventType, or, for the ackify profile (X-Ackify-Event:
// webhook.verification, the data sent bare), the body's challenge. ok is
// false for any other request. Verify the request before answering it.
func ChallengeOf(h http.Header, body []byte) (challenge string, ok bool) {
	var data struct {
		Challenge *string `json:"challenge"`
	}
	if h.Get(HeaderAckifyEvent) == VerificationEventType {
		if json.Unmarshal(body, &data) != nil || data.Challenge == nil {
			return "", false
		}
		return *data.Challenge, true
	}
	var envelope struct {
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal(body, &envelope) != nil || envelope.Type != VerificationEventType ||
		json.Unmarshal(envelope.Data, &data) != nil || data.Challenge == nil {
		return "", false
	}
	return *data.Challenge, true
}

// ChallengeAnswer returns the body that answers challenge:
// {"challenge":"<challenge>"}, to send with a 2xx status and
// Content-Type application/json.
func ChallengeAnswer(challenge string) []byte {
	b, _ := json.Marshal(map[string]string{"challenge": challenge}) // a string always marshals
	return b
}

// AnswersChallenge reports whether body, the answer to a verification
// request, proves ownership for challenge: the body, trimmed of surrounding
// white space, is the challenge itself, or is a JSON object whose
// "challenge" member is a string equal to it. Other members are allowed.
// The comparison takes constant time for a given length; an empty
// challenge is never answered.
func AnswersChallenge(body []byte, challenge string) bool {
	if challenge == "" {
		return false
	}
	want := []byte(challenge)
	trimmed := bytes.TrimSpace(body)
	if subtle.ConstantTimeCompare(trimmed, want) == 1 {
		return true
	}
	var answer struct {
		Challenge *string `json:"challenge"`
	}
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &answer) != nil || answer.Challenge == nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(*answer.Challenge), want) == 1
}

// answerChallenge answers a verified request that carries a challenge
// (ChallengeOf) with 200 and ChallengeAnswer, and reports whether it did.
func answerChallenge(w http.ResponseWriter, r *http.Request, body []byte) bool {
	challenge, ok := ChallengeOf(r.Header, body)
	if !ok {
		return false
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(ChallengeAnswer(challenge))
	return true
}
