// Package signature signs and verifies hookrelay's webhook requests. It
// depends on nothing but the standard library, so receivers can import it
// alone.
//
// # What is signed
//
// Every request carries the same HMAC-SHA256 twice, over the content
// "<event id>.<unix timestamp>.<raw body>":
//
//	X-Event-Id: <event id>
//	X-Timestamp: <unix seconds>
//	X-Signature: sha256=<hex HMAC>
//	webhook-id: <event id>
//	webhook-timestamp: <unix seconds>
//	webhook-signature: v1,<base64 HMAC>
//
// The webhook-* headers follow the Standard Webhooks specification
// (https://www.standardwebhooks.com), so any of its libraries verifies them.
//
// # Secrets and keys
//
// Secrets that hookrelay generates look like "whsec_<base64>": the HMAC key is
// the base64-decoded part, as in Standard Webhooks. Any other secret, such as
// a WEBHOOK_SECRET you chose, is used as it is: the key is its raw bytes.
// A Standard Webhooks library expects the whsec_ form, so give it
// "whsec_" + base64(secret) (StandardSecret computes it); in a shell:
//
//	printf 'whsec_%s\n' "$(printf %s "$WEBHOOK_SECRET" | base64 -w0)"
//
// # Rotation
//
// While a secret is being rotated, requests are signed with the new secret
// and the previous one: webhook-signature lists both, space-separated
// ("v1,<new> v1,<old>"), and X-Signature too, comma-separated
// ("sha256=<new>,sha256=<old>"). A receiver that knows either secret accepts
// the request; Verify takes several candidate secrets for the receiver's side
// of a rotation.
//
// # Ackify profile
//
// Endpoints with the ackify profile get Ackify CE's wire format instead: the
// body is the event's payload alone (no envelope), User-Agent is
// Ackify-Webhooks/1.0, and the headers are X-Ackify-Event, X-Ackify-Event-Id,
// X-Ackify-Timestamp and exactly one X-Ackify-Signature:
// sha256=<hex HMAC over "<timestamp>.<event id>.<event type>.<body>">, keyed,
// as Ackify CE does, with the secret string's raw bytes (see SetAckifyHeaders
// and RawKey). During a rotation the new secret alone signs these requests,
// as when a secret is changed in Ackify itself; Verify does not read them.
//
// # Receiving
//
// Verify the raw body, before parsing it, and reject what fails:
//
//	secret := os.Getenv("HOOKRELAY_SECRET") // whsec_...
//	hooks := signature.Middleware(signature.VerifyOptions{Secrets: []string{secret}},
//		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//			v, _ := signature.FromContext(r.Context())
//			body, _ := io.ReadAll(r.Body) // the verified body
//			// de-duplicate by v.ID, then handle body
//			w.WriteHeader(http.StatusNoContent)
//		}))
//	http.Handle("POST /hooks", hooks)
//
// Middleware answers 400 for a missing or malformed header and 401 for a
// stale timestamp (more than five minutes off, by default) or a wrong
// signature, with the exact reason in a JSON body. Without the middleware,
// call Verify and tell the failures apart with errors.Is: ErrMissingHeader,
// ErrBadFormat, ErrExpired, ErrMismatch.
//
// # Verification challenges
//
// An endpoint created with require_verification receives first, and alone,
// one event of type webhook.verification (VerificationEventType) whose data
// is {"challenge": "<random string>"}; it proves that its owner wants the
// traffic by answering 2xx with a body that AnswersChallenge accepts: the
// challenge itself, or {"challenge": "<it>"}. Middleware answers a verified
// one by itself, with ChallengeAnswer. Without the middleware, verify the
// request, then:
//
//	if c, ok := signature.ChallengeOf(r.Header, body); ok {
//		w.Header().Set("Content-Type", "application/json")
//		w.Write(signature.ChallengeAnswer(c))
//		return
//	}
package signature
