package signature_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/signature"
)

// signingVector is one official Standard Webhooks signing test vector.
type signingVector struct {
	Name      string `json:"name"`
	Secret    string `json:"secret"`
	MsgID     string `json:"msg_id"`
	Timestamp int64  `json:"timestamp"`
	Payload   string `json:"payload"`
	Signature string `json:"signature"`
}

// headers returns the Standard Webhooks headers of v with the given signature header.
func (v signingVector) headers(sig string) http.Header {
	h := http.Header{}
	h.Set(signature.HeaderWebhookID, v.MsgID)
	h.Set(signature.HeaderWebhookTimestamp, strconv.FormatInt(v.Timestamp, 10))
	h.Set(signature.HeaderWebhookSignature, sig)
	return h
}

// verificationCase is one verification outcome the reference libraries pin.
type verificationCase struct {
	Vector          int    `json:"vector"`
	Name            string `json:"name"`
	SignatureHeader string `json:"signature_header"`
	Want            string `json:"want"`
}

// loadVectors reads the official test vectors from testdata.
func loadVectors(t *testing.T) (signing []signingVector, verification []verificationCase) {
	t.Helper()
	raw, err := os.ReadFile("testdata/standard_webhooks_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Signing      []signingVector    `json:"signing"`
		Verification []verificationCase `json:"verification"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Signing) == 0 || len(v.Verification) == 0 {
		t.Fatal("no test vectors")
	}
	return v.Signing, v.Verification
}

func TestStandardWebhooksSigningVectors(t *testing.T) {
	signing, _ := loadVectors(t)
	for _, v := range signing {
		t.Run(v.Name, func(t *testing.T) {
			ts := time.Unix(v.Timestamp, 0)
			mac, err := signature.Sign(v.Secret, v.MsgID, ts, []byte(v.Payload))
			if err != nil {
				t.Fatal(err)
			}
			if got := "v1," + base64.StdEncoding.EncodeToString(mac); got != v.Signature {
				t.Errorf("Sign = %s, want %s", got, v.Signature)
			}
			h := http.Header{}
			if err := signature.SetHeaders(h, v.MsgID, ts, []byte(v.Payload), v.Secret); err != nil {
				t.Fatal(err)
			}
			if got := h.Get(signature.HeaderWebhookSignature); got != v.Signature {
				t.Errorf("webhook-signature = %s, want %s", got, v.Signature)
			}
		})
	}
}

func TestStandardWebhooksVerificationVectors(t *testing.T) {
	signing, verification := loadVectors(t)
	for _, c := range verification {
		v := signing[c.Vector]
		t.Run(v.Name+"/"+c.Name, func(t *testing.T) {
			_, err := signature.Verify(v.headers(c.SignatureHeader), []byte(v.Payload), signature.VerifyOptions{
				Secrets: []string{v.Secret},
				Now:     func() time.Time { return time.Unix(v.Timestamp, 0) },
			})
			assertOutcome(t, err, c.Want)
		})
	}
}
