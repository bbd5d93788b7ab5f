package signature_test

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/signature"
)

const (
	testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	otherKey   = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
	testID     = "evt_01J9ZQ"
)

var (
	testTime = time.Unix(1_700_000_000, 0)
	testBody = []byte(`{"id":"evt_01J9ZQ","type":"document.created","data":{"n":1}}`)
)

// signed returns the headers hookrelay sends for testBody at testTime.
func signed(t *testing.T, secrets ...string) http.Header {
	t.Helper()
	h := http.Header{}
	if err := signature.SetHeaders(h, testID, testTime, testBody, secrets...); err != nil {
		t.Fatal(err)
	}
	return h
}

// only keeps the headers of one family, as a sender of that family alone would send.
func only(h http.Header, names ...string) http.Header {
	out := http.Header{}
	for _, n := range names {
		if v := h.Get(n); v != "" {
			out.Set(n, v)
		}
	}
	return out
}

func standardOnly(h http.Header) http.Header {
	return only(h, signature.HeaderWebhookID, signature.HeaderWebhookTimestamp, signature.HeaderWebhookSignature)
}

func xOnly(h http.Header) http.Header {
	return only(h, signature.HeaderEventID, signature.HeaderTimestamp, signature.HeaderSignature)
}

func opts(secrets ...string) signature.VerifyOptions {
	return signature.VerifyOptions{Secrets: secrets, Now: func() time.Time { return testTime }}
}

func TestSetHeadersWireFormat(t *testing.T) {
	h := signed(t, testSecret, otherKey)
	if got := h.Get("X-Timestamp"); got != "1700000000" {
		t.Errorf("X-Timestamp = %q", got)
	}
	if h.Get("X-Event-Id") != testID || h.Get("Webhook-Id") != testID || h.Get("Webhook-Timestamp") != "1700000000" {
		t.Errorf("ids and timestamps: %v", h)
	}
	xs := strings.Split(h.Get("X-Signature"), ",")
	ws := strings.Split(h.Get("Webhook-Signature"), " ")
	if len(xs) != 2 || len(ws) != 2 {
		t.Fatalf("want two signatures per header during a rotation, got X-Signature %q, webhook-signature %q",
			h.Get("X-Signature"), h.Get("Webhook-Signature"))
	}
	for i, secret := range []string{testSecret, otherKey} {
		mac, err := signature.Sign(secret, testID, testTime, testBody)
		if err != nil {
			t.Fatal(err)
		}
		if want := "sha256=" + hex.EncodeToString(mac); xs[i] != want {
			t.Errorf("X-Signature[%d] = %s, want %s", i, xs[i], want)
		}
		if want := "v1," + base64.StdEncoding.EncodeToString(mac); ws[i] != want {
			t.Errorf("webhook-signature[%d] = %s, want %s", i, ws[i], want)
		}
	}
}

func TestVerifyAcceptsEitherFamily(t *testing.T) {
	h := signed(t, testSecret)
	tests := []struct {
		name   string
		header http.Header
		want   signature.Scheme
	}{
		{"both families: Standard Webhooks preferred", h, signature.SchemeStandardWebhooks},
		{"Standard Webhooks only", standardOnly(h), signature.SchemeStandardWebhooks},
		{"X-* only", xOnly(h), signature.SchemeXSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := signature.Verify(tt.header, testBody, opts(testSecret))
			if err != nil {
				t.Fatal(err)
			}
			want := signature.Verified{ID: testID, Timestamp: testTime, Scheme: tt.want}
			if v != want {
				t.Errorf("Verified = %+v, want %+v", v, want)
			}
		})
	}
}

func TestVerifyDuringRotation(t *testing.T) {
	rotating := signed(t, otherKey, testSecret) // new secret first, previous second
	tests := []struct {
		name      string
		header    http.Header
		secrets   []string
		wantIndex int
		want      string
	}{
		{"receiver has the previous secret", rotating, []string{testSecret}, 0, "valid"},
		{"receiver has the new secret", rotating, []string{otherKey}, 0, "valid"},
		{"receiver lists new then previous: previous signature matches", signed(t, testSecret), []string{otherKey, testSecret}, 1, "valid"},
		{"X-* family with both secrets", xOnly(rotating), []string{testSecret}, 0, "valid"},
		{"after the window only the new secret signs", signed(t, otherKey), []string{testSecret}, 0, "mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := signature.Verify(tt.header, testBody, opts(tt.secrets...))
			assertOutcome(t, err, tt.want)
			if err == nil && v.SecretIndex != tt.wantIndex {
				t.Errorf("SecretIndex = %d, want %d", v.SecretIndex, tt.wantIndex)
			}
		})
	}
}

func TestVerifyRejections(t *testing.T) {
	type change func(h http.Header)
	set := func(name, value string) change { return func(h http.Header) { h.Set(name, value) } }
	del := func(names ...string) change {
		return func(h http.Header) {
			for _, n := range names {
				h.Del(n)
			}
		}
	}
	tests := []struct {
		name       string
		family     func(http.Header) http.Header
		change     change
		body       []byte
		secret     string
		now        time.Time
		want       string
		wantHeader string
	}{
		{name: "tampered body", body: append([]byte(`{"id":"evt_01J9ZQ","type":"document.deleted"`), testBody[40:]...), want: "mismatch", wantHeader: "webhook-signature"},
		{name: "tampered body, X-*", family: xOnly, body: []byte(`{}`), want: "mismatch", wantHeader: "X-Signature"},
		{name: "wrong secret", secret: otherKey, want: "mismatch", wantHeader: "webhook-signature"},
		{name: "wrong plain secret", secret: "not-the-secret", want: "mismatch", wantHeader: "webhook-signature"},
		{name: "id changed", change: set("webhook-id", "evt_other"), want: "mismatch", wantHeader: "webhook-signature"},
		{name: "timestamp changed within tolerance", change: set("webhook-timestamp", "1700000001"), want: "mismatch", wantHeader: "webhook-signature"},
		{name: "only other signature versions", change: set("webhook-signature", "v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg=="), want: "mismatch", wantHeader: "webhook-signature"},
		{name: "old timestamp", now: testTime.Add(5*time.Minute + time.Second), want: "expired", wantHeader: "webhook-timestamp"},
		{name: "old timestamp, X-*", family: xOnly, now: testTime.Add(time.Hour), want: "expired", wantHeader: "X-Timestamp"},
		{name: "timestamp in the future", now: testTime.Add(-5*time.Minute - time.Second), want: "expired", wantHeader: "webhook-timestamp"},
		{name: "no signature headers at all", change: del("webhook-id", "webhook-timestamp", "webhook-signature", "X-Timestamp", "X-Signature"), want: "missing_header", wantHeader: "webhook-signature"},
		{name: "missing webhook-id", family: standardOnly, change: del("webhook-id"), want: "missing_header", wantHeader: "webhook-id"},
		{name: "missing webhook-timestamp", family: standardOnly, change: del("webhook-timestamp"), want: "missing_header", wantHeader: "webhook-timestamp"},
		{name: "missing webhook-signature", family: standardOnly, change: del("webhook-signature"), want: "missing_header", wantHeader: "webhook-signature"},
		{name: "missing X-Event-Id", family: xOnly, change: del("X-Event-Id"), want: "missing_header", wantHeader: "X-Event-Id"},
		{name: "missing X-Signature", family: xOnly, change: del("X-Signature"), want: "missing_header", wantHeader: "X-Signature"},
		{name: "timestamp not a number", change: set("webhook-timestamp", "yesterday"), want: "bad_format", wantHeader: "webhook-timestamp"},
		{name: "timestamp with a sign", change: set("webhook-timestamp", "+1700000000"), want: "bad_format", wantHeader: "webhook-timestamp"},
		{name: "timestamp in milliseconds overflows", change: set("webhook-timestamp", "99999999999999999999"), want: "bad_format", wantHeader: "webhook-timestamp"},
		{name: "signature without version", change: set("webhook-signature", "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="), want: "bad_format", wantHeader: "webhook-signature"},
		{name: "signature not base64", change: set("webhook-signature", "v1,not*base64!"), want: "bad_format", wantHeader: "webhook-signature"},
		{name: "signature too short", change: set("webhook-signature", "v1,AAAA"), want: "bad_format", wantHeader: "webhook-signature"},
		{name: "signature header blank", change: set("webhook-signature", "   "), want: "bad_format", wantHeader: "webhook-signature"},
		{name: "X-Signature not hex", family: xOnly, change: set("X-Signature", "sha256=zz"), want: "bad_format", wantHeader: "X-Signature"},
		{name: "X-Signature without algorithm", family: xOnly, change: set("X-Signature", "0123abcd"), want: "bad_format", wantHeader: "X-Signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := signed(t, testSecret)
			if tt.family != nil {
				h = tt.family(h)
			}
			if tt.change != nil {
				tt.change(h)
			}
			body, secret, now := testBody, testSecret, testTime
			if tt.body != nil {
				body = tt.body
			}
			if tt.secret != "" {
				secret = tt.secret
			}
			if !tt.now.IsZero() {
				now = tt.now
			}
			_, err := signature.Verify(h, body, signature.VerifyOptions{Secrets: []string{secret}, Now: func() time.Time { return now }})
			assertOutcome(t, err, tt.want)
			var e *signature.Error
			if errors.As(err, &e) && e.Header != tt.wantHeader {
				t.Errorf("error names header %q, want %q (%v)", e.Header, tt.wantHeader, err)
			}
			if !strings.Contains(err.Error(), tt.wantHeader) {
				t.Errorf("message %q does not name %s", err, tt.wantHeader)
			}
		})
	}
}

func TestVerifyTolerance(t *testing.T) {
	h := signed(t, testSecret)
	tests := []struct {
		name      string
		tolerance time.Duration
		skew      time.Duration
		want      string
	}{
		{"default: exactly five minutes old", 0, 5 * time.Minute, "valid"},
		{"default: five minutes ahead", 0, -5 * time.Minute, "valid"},
		{"custom tolerance exceeded", time.Minute, time.Minute + time.Second, "expired"},
		{"custom tolerance respected", time.Hour, 59 * time.Minute, "valid"},
		{"negative tolerance disables the check", -1, 24 * 365 * time.Hour, "valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := signature.Verify(h, testBody, signature.VerifyOptions{
				Secrets: []string{testSecret}, Tolerance: tt.tolerance,
				Now: func() time.Time { return testTime.Add(tt.skew) },
			})
			assertOutcome(t, err, tt.want)
		})
	}
}

func TestVerifyExpiredMessageSaysHowFar(t *testing.T) {
	_, err := signature.Verify(signed(t, testSecret), testBody, signature.VerifyOptions{
		Secrets: []string{testSecret}, Now: func() time.Time { return testTime.Add(2 * time.Hour) },
	})
	want := "timestamp outside tolerance: webhook-timestamp: 1700000000 is 2h0m0s old, more than the 5m0s tolerance"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
}

func TestVerifyConfigurationErrors(t *testing.T) {
	h := signed(t, testSecret)
	if _, err := signature.Verify(h, testBody, opts()); !errors.Is(err, signature.ErrNoSecret) {
		t.Errorf("no secrets: error = %v, want ErrNoSecret", err)
	}
	if _, err := signature.Verify(h, testBody, opts("whsec_%%%")); !errors.Is(err, signature.ErrInvalidSecret) {
		t.Errorf("malformed whsec_ secret: error = %v, want ErrInvalidSecret", err)
	}
	if err := signature.SetHeaders(http.Header{}, testID, testTime, testBody); !errors.Is(err, signature.ErrNoSecret) {
		t.Errorf("SetHeaders without secrets: error = %v, want ErrNoSecret", err)
	}
}

func TestStatusCode(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{&signature.Error{Kind: signature.ErrMissingHeader, Header: "webhook-id"}, http.StatusBadRequest},
		{&signature.Error{Kind: signature.ErrBadFormat, Header: "webhook-id"}, http.StatusBadRequest},
		{&signature.Error{Kind: signature.ErrExpired, Header: "webhook-timestamp"}, http.StatusUnauthorized},
		{&signature.Error{Kind: signature.ErrMismatch, Header: "webhook-signature"}, http.StatusUnauthorized},
		{&http.MaxBytesError{Limit: 1}, http.StatusRequestEntityTooLarge},
		{signature.ErrNoSecret, http.StatusInternalServerError},
	}
	for _, tt := range tests {
		if got := signature.StatusCode(tt.err); got != tt.want {
			t.Errorf("StatusCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}
