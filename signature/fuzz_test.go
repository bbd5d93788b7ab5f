package signature

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzParseSignatureHeader checks that both signature header parsers never
// panic, return only well-sized MACs or an *Error, and that what they accept
// renders back to a header that parses to the same MACs.
func FuzzParseSignatureHeader(f *testing.F) {
	f.Add("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
	f.Add("sha256=2d7f1c7e4d1a1d0b6f3b8c0f3a6c2b1e5f4a3d2c1b0a99887766554433221100")
	f.Add("v1,a v1a,b v2,")
	f.Add("sha256=,sha512=ab")
	f.Fuzz(func(t *testing.T, value string) {
		for _, sc := range []scheme{standardScheme, xScheme} {
			checkParseRoundTrip(t, sc, value)
		}
	})
}

// checkParseRoundTrip parses value with sc and checks the result.
func checkParseRoundTrip(t *testing.T, sc scheme, value string) {
	t.Helper()
	sigs, err := sc.parseSignatures(value)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrBadFormat) || e.Header != sc.sig {
			t.Fatalf("%s: error %v is not a bad-format *Error naming the header", sc.sig, err)
		}
		return
	}
	if len(sigs) == 0 {
		return
	}
	encode, sep := base64.StdEncoding.EncodeToString, " "
	if sc.name == SchemeXSignature {
		encode, sep = hex.EncodeToString, ","
	}
	rendered := joinSignatures(sigs, sc.version+sc.versionSep, sep, encode)
	again, err := sc.parseSignatures(rendered)
	if err != nil || len(again) != len(sigs) {
		t.Fatalf("%s: %q parsed to %d signatures, rendered %q parses to %d (%v)", sc.sig, value, len(sigs), rendered, len(again), err)
	}
	for i := range sigs {
		if len(sigs[i]) != 32 || !bytes.Equal(sigs[i], again[i]) {
			t.Fatalf("%s: signature %d differs after a round trip", sc.sig, i)
		}
	}
}

// FuzzVerify checks that Verify accepts what SetHeaders signs for any id and
// body, rejects the same request with a changed body, and classifies every
// rejection of arbitrary headers with one of the four sentinel errors.
func FuzzVerify(f *testing.F) {
	f.Add("evt_1", "1700000000", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", []byte(`{"a":1}`))
	f.Add("", "", "", []byte{})
	f.Add("msg.with.dots", "-1", "v1,", []byte("x"))
	f.Add("id", "1700000000", "sha256=zz v1,AAAA", []byte(nil))
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	now := time.Unix(1_700_000_000, 0)
	opts := VerifyOptions{Secrets: []string{secret, "plain"}, Now: func() time.Time { return now }}
	f.Fuzz(func(t *testing.T, id, ts, sig string, body []byte) {
		h := http.Header{}
		h.Set(HeaderWebhookID, id)
		h.Set(HeaderWebhookTimestamp, ts)
		h.Set(HeaderWebhookSignature, sig)
		if _, err := Verify(h, body, opts); err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *Error", err)
			}
			known := false
			for _, kind := range []error{ErrMissingHeader, ErrBadFormat, ErrExpired, ErrMismatch} {
				known = known || e.Kind == kind
			}
			if !known {
				t.Fatalf("error %v has an unknown kind", err)
			}
		}
		if id == "" || strings.ContainsAny(id, "\r\n") {
			return
		}
		signed := http.Header{}
		if err := SetHeaders(signed, id, now, body, secret); err != nil {
			t.Fatal(err)
		}
		if _, err := Verify(signed, body, opts); err != nil {
			t.Fatalf("Verify rejects what SetHeaders signed: %v", err)
		}
		if _, err := Verify(signed, append(bytes.Clone(body), '!'), opts); !errors.Is(err, ErrMismatch) {
			t.Fatalf("changed body: error = %v, want ErrMismatch", err)
		}
	})
}
