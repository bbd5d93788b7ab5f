package delivery_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
	"github.com/hookrelay/hookrelay/internal/testwait"
	"github.com/hookrelay/hookrelay/signature"
)

// ackifySignature is an independent re-implementation of Ackify CE's
// ComputeSignature: hex HMAC-SHA256, keyed with the secret string's bytes,
// over "<unix ts>.<event id>.<event type>.<body>".
func ackifySignature(secret, ts, eventID, eventType string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "." + eventID + "." + eventType + "."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// captured is one request that a test receiver got.
type captured struct {
	header http.Header
	body   []byte
}

// ackifyReceiver serves 204 and hands every request it gets to the returned channel.
func ackifyReceiver(t *testing.T) (string, <-chan captured) {
	t.Helper()
	got := make(chan captured, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- captured{r.Header.Clone(), body}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, got
}

// sendOne sends c with a sender whose default profile is defaultProfile and
// returns what the receiver got.
func sendOne(t *testing.T, defaultProfile string, c store.Claimed, got <-chan captured) captured {
	t.Helper()
	s := delivery.NewSender(delivery.SenderOptions{Timeout: 5 * time.Second, AllowPrivate: true, DefaultProfile: defaultProfile})
	res := s.Send(t.Context(), c)
	if res.Class != delivery.Delivered {
		t.Fatalf("send: class %v, error %q", res.Class, res.Attempt.Error)
	}
	select {
	case r := <-got:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("the receiver got no request")
		return captured{}
	}
}

// ackifyRow is a claimed delivery as Ackify CE inserts it: a payload of its
// own, no hookrelay envelope, a secret that is a plain string with the whsec_
// prefix (not base64).
func ackifyRow(url, profile string) store.Claimed {
	payload := json.RawMessage(`{"doc_id": "doc-42", "user_name": "Ada", "user_email": "ada@example.com"}`)
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	const id = "6f1c1d2e-7a0b-4c8d-9e3f-0a1b2c3d4e5f"
	return store.Claimed{
		Delivery: store.Delivery{ID: 7, EndpointID: 3, EventID: id, EventType: "signature.created", Payload: payload},
		Endpoint: store.Endpoint{
			ID: 3, URL: url, Secret: "whsec_my-ackify-secret", Active: true, SignatureProfile: profile,
			Headers: map[string]string{"X-Ackify-Signature": "forged", "X-Team": "docs"},
		},
		Event: store.Event{ID: id, Type: "signature.created", Data: payload, CreatedAt: created},
	}
}

// checkAckifyWire checks that r is exactly what Ackify CE's worker sends for c
// under secret, with an exact comparison of the signature header.
func checkAckifyWire(t *testing.T, r captured, c store.Claimed, secret string) {
	t.Helper()
	if string(r.body) != string(c.Delivery.Payload) {
		t.Errorf("body %s, want the stored payload bare: %s", r.body, c.Delivery.Payload)
	}
	h := r.header
	if h.Get("User-Agent") != "Ackify-Webhooks/1.0" || h.Get("Content-Type") != "application/json" {
		t.Errorf("User-Agent %q, Content-Type %q; want Ackify-Webhooks/1.0, application/json", h.Get("User-Agent"), h.Get("Content-Type"))
	}
	if h.Get("X-Ackify-Event") != c.Event.Type || h.Get("X-Ackify-Event-Id") != c.Event.ID {
		t.Errorf("X-Ackify-Event %q, X-Ackify-Event-Id %q; want %q, %q", h.Get("X-Ackify-Event"), h.Get("X-Ackify-Event-Id"), c.Event.Type, c.Event.ID)
	}
	ts := h.Get("X-Ackify-Timestamp")
	if unix, err := strconv.ParseInt(ts, 10, 64); err != nil || time.Since(time.Unix(unix, 0)).Abs() > time.Minute {
		t.Errorf("X-Ackify-Timestamp %q, want unix seconds of now", ts)
	}
	want := "sha256=" + ackifySignature(secret, ts, h.Get("X-Ackify-Event-Id"), h.Get("X-Ackify-Event"), r.body)
	if values := h.Values("X-Ackify-Signature"); len(values) != 1 || values[0] != want {
		t.Errorf("X-Ackify-Signature %q, want exactly [%q]", values, want)
	}
	if h.Get("X-Team") != "docs" {
		t.Errorf("custom header X-Team %q, want docs", h.Get("X-Team"))
	}
	for _, name := range []string{"X-Signature", "Webhook-Signature", "X-Event-Id", "X-Event-Type", "X-Timestamp"} {
		if v := h.Get(name); v != "" {
			t.Errorf("%s: %q; Ackify sends no such header", name, v)
		}
	}
}

func TestAckifyProfileSendsAckifysWireFormat(t *testing.T) {
	url, got := ackifyReceiver(t)
	c := ackifyRow(url, store.ProfileAckify)
	checkAckifyWire(t, sendOne(t, "", c, got), c, "whsec_my-ackify-secret")
}

func TestAckifyProfileSignsWithTheCurrentSecretDuringARotation(t *testing.T) {
	url, got := ackifyReceiver(t)
	c := ackifyRow(url, store.ProfileAckify)
	expires := time.Now().Add(time.Hour)
	c.Endpoint.Secret, c.Endpoint.PreviousSecret, c.Endpoint.PreviousSecretExpiresAt = "the-new-ackify-secret", "whsec_my-ackify-secret", &expires
	checkAckifyWire(t, sendOne(t, "", c, got), c, "the-new-ackify-secret")
}

func TestDefaultProfileAppliesToRowsThatNameNone(t *testing.T) {
	t.Run("ackify", func(t *testing.T) {
		url, got := ackifyReceiver(t)
		c := ackifyRow(url, "")
		checkAckifyWire(t, sendOne(t, store.ProfileAckify, c, got), c, "whsec_my-ackify-secret")
	})
	t.Run("standard when unset", func(t *testing.T) {
		url, got := ackifyReceiver(t)
		c := ackifyRow(url, "")
		c.Endpoint.Secret = "a-plain-standard-secret"
		r := sendOne(t, "", c, got)
		want, err := delivery.Envelope(c.Event)
		if err != nil {
			t.Fatal(err)
		}
		if string(r.body) != string(want) {
			t.Errorf("body %s, want the envelope %s", r.body, want)
		}
		if _, err := signature.Verify(r.header, r.body, signature.VerifyOptions{Secrets: []string{c.Endpoint.Secret}}); err != nil {
			t.Errorf("standard signature: %v", err)
		}
		if r.header.Get("X-Ackify-Signature") != "" {
			t.Error("a standard request carries X-Ackify-Signature")
		}
	})
	t.Run("a row's own profile wins", func(t *testing.T) {
		url, got := ackifyReceiver(t)
		c := ackifyRow(url, store.ProfileAckify)
		checkAckifyWire(t, sendOne(t, store.ProfileStandard, c, got), c, "whsec_my-ackify-secret")
	})
}

// An event published through hookrelay to an Ackify-profile endpoint is sent
// as the data that was published, byte for byte, on both stores (not as
// PostgreSQL's rewrite of the JSONB payload).
func TestAckifyBodyIsThePublishedData(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		t.Parallel()
		s := newStore(t)
		const data = `{"b":1,"a":1e3,"s":"\u00e9\/", "n" : [ 1 , 2 ]}`
		rcv := newReceiver(t, status(http.StatusOK))
		e := addEndpoint(t, s, rcv.URL, func(e *store.Endpoint) { e.SignatureProfile = store.ProfileAckify })
		ev := store.Event{Type: "signature.created", Data: json.RawMessage(data)}
		if _, err := s.Publish(t.Context(), ev, store.PublishOptions{EndpointIDs: []int64{e.ID}}); err != nil {
			t.Fatal(err)
		}
		startWorker(t, s, fastOptions(t), 5*time.Second)
		testwait.Until(t, "delivery", func() bool { return len(rcv.received()) == 1 })
		if got := string(rcv.received()[0].body); got != data {
			t.Errorf("body %s, want the published data %s", got, data)
		}
	})
}

// An endpoint whose secret or header value is encrypted, read by a process
// without the key, is not sent: the request would carry ciphertext. The
// attempt is a retryable failure saying why.
func TestSealedValuesAreNeverSent(t *testing.T) {
	rcv := newReceiver(t, status(http.StatusOK))
	for _, seal := range []func(*store.Claimed){
		func(c *store.Claimed) { c.Endpoint.Secret = "enc:v1:c2VhbGVk" },
		func(c *store.Claimed) { c.Endpoint.Headers = map[string]string{"Authorization": "enc:v1:c2VhbGVk"} },
	} {
		c := ackifyRow(rcv.URL, store.ProfileStandard)
		seal(&c)
		res := delivery.NewSender(delivery.SenderOptions{Timeout: time.Second, AllowPrivate: true}).Send(t.Context(), c)
		if res.Class != delivery.Retryable || !strings.Contains(res.Attempt.Error, "no encryption key") {
			t.Errorf("class %v, error %q; want a retryable failure naming the key", res.Class, res.Attempt.Error)
		}
	}
	if n := len(rcv.received()); n != 0 {
		t.Errorf("the receiver got %d requests, want none", n)
	}
}
