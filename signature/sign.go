package signature

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names of the Standard Webhooks family.
const (
	HeaderWebhookID        = "webhook-id"
	HeaderWebhookTimestamp = "webhook-timestamp"
	HeaderWebhookSignature = "webhook-signature"
)

// Header names of hookrelay's own X-* family.
const (
	HeaderEventID   = "X-Event-Id"
	HeaderTimestamp = "X-Timestamp"
	HeaderSignature = "X-Signature"
)

// Header names of the Ackify profile.
const (
	HeaderAckifyEvent     = "X-Ackify-Event"
	HeaderAckifyEventID   = "X-Ackify-Event-Id"
	HeaderAckifyTimestamp = "X-Ackify-Timestamp"
	HeaderAckifySignature = "X-Ackify-Signature"
)

// Signature prefixes: "v1," in webhook-signature, "sha256=" in X-Signature
// and X-Ackify-Signature.
const (
	versionV1    = "v1"
	algorithmHex = "sha256"
)

// Sign returns the raw HMAC-SHA256 of "<id>.<unix ts>.<body>" under the key of
// secret (see Key). It is the MAC behind both X-Signature and webhook-signature.
func Sign(secret, id string, ts time.Time, body []byte) ([]byte, error) {
	sigs, err := macs([]string{secret}, Key, signedContent(id, ts.Unix(), body)...)
	if err != nil {
		return nil, err
	}
	return sigs[0], nil
}

// signedContent is "<id>.<ts>.<body>" in parts, the content both the
// Standard Webhooks and the X-* family sign.
func signedContent(id string, ts int64, body []byte) [][]byte {
	return [][]byte{[]byte(id), dot, strconv.AppendInt(nil, ts, 10), dot, body}
}

var dot = []byte{'.'}

// SetHeaders sets on h: X-Event-Id, X-Timestamp (unix seconds), X-Signature
// ("sha256=<hex>" per secret, comma-separated), webhook-id, webhook-timestamp
// and webhook-signature ("v1,<base64>" per secret, space-separated).
// secrets: current first, then previous during a rotation.
func SetHeaders(h http.Header, id string, ts time.Time, body []byte, secrets ...string) error {
	sigs, err := macs(secrets, Key, signedContent(id, ts.Unix(), body)...)
	if err != nil {
		return err
	}
	unix := strconv.FormatInt(ts.Unix(), 10)
	h.Set(HeaderEventID, id)
	h.Set(HeaderTimestamp, unix)
	h.Set(HeaderSignature, joinSignatures(sigs, algorithmHex+"=", ",", hex.EncodeToString))
	h.Set(HeaderWebhookID, id)
	h.Set(HeaderWebhookTimestamp, unix)
	h.Set(HeaderWebhookSignature, joinSignatures(sigs, versionV1+",", " ", base64.StdEncoding.EncodeToString))
	return nil
}

// SetAckifyHeaders sets X-Ackify-Event, X-Ackify-Event-Id, X-Ackify-Timestamp
// and X-Ackify-Signature: exactly one "sha256=<hex>" of the HMAC-SHA256 of
// "<ts>.<id>.<type>.<body>", as Ackify CE sends it. Ackify receivers compare
// the whole header with the one value they compute, so a list of signatures
// (as X-Signature carries during a rotation) would fail there: one secret
// signs, whatever the rotation.
//
// As Ackify CE does, the HMAC key is the secret string's raw bytes, even for
// a "whsec_" secret: an Ackify receiver keys its HMAC with the secret exactly
// as it was given. An empty secret is ErrNoSecret.
func SetAckifyHeaders(h http.Header, id, eventType string, ts time.Time, body []byte, secret string) error {
	unix := strconv.FormatInt(ts.Unix(), 10)
	sigs, err := macs([]string{secret}, RawKey, []byte(unix), dot, []byte(id), dot, []byte(eventType), dot, body)
	if err != nil {
		return err
	}
	h.Set(HeaderAckifyEvent, eventType)
	h.Set(HeaderAckifyEventID, id)
	h.Set(HeaderAckifyTimestamp, unix)
	h.Set(HeaderAckifySignature, algorithmHex+"="+hex.EncodeToString(sigs[0]))
	return nil
}

// RawKey returns the HMAC key of a secret used as it is, the way Ackify CE
// keys its signatures: the secret string's bytes, whatever its prefix
// ("whsec_" included). An empty secret is ErrNoSecret.
func RawKey(secret string) ([]byte, error) {
	if secret == "" {
		return nil, ErrNoSecret
	}
	return []byte(secret), nil
}

// macs returns, for every secret in order, the HMAC-SHA256 of the
// concatenated content under keyOf(secret).
func macs(secrets []string, keyOf func(string) ([]byte, error), content ...[]byte) ([][]byte, error) {
	if len(secrets) == 0 {
		return nil, ErrNoSecret
	}
	out := make([][]byte, len(secrets))
	for i, secret := range secrets {
		key, err := keyOf(secret)
		if err != nil {
			return nil, err
		}
		h := hmac.New(sha256.New, key)
		for _, part := range content {
			h.Write(part)
		}
		out[i] = h.Sum(nil)
	}
	return out, nil
}

// joinSignatures renders each MAC as prefix+encode(mac), joined by sep.
func joinSignatures(sigs [][]byte, prefix, sep string, encode func([]byte) string) string {
	parts := make([]string, len(sigs))
	for i, s := range sigs {
		parts[i] = prefix + encode(s)
	}
	return strings.Join(parts, sep)
}
