package receiver_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/receiver"
	"github.com/hookrelay/hookrelay/signature"
)

var signedAt = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func nowAfter(d time.Duration) func() time.Time {
	return func() time.Time { return signedAt.Add(d) }
}

// headersFile renders h as "Name: value" lines, in a stable order.
func headersFile(t *testing.T, h http.Header) string {
	t.Helper()
	var names []string
	for n := range h {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("# captured by a test\n\n")
	for _, n := range names {
		fmt.Fprintf(&b, "%s: %s\n", n, h.Get(n))
	}
	return writeFile(t, "headers.txt", []byte(b.String()))
}

// rawRequestFile writes req in wire format, as a capture would hold it.
func rawRequestFile(t *testing.T, req *http.Request) string {
	t.Helper()
	var b bytes.Buffer
	if err := req.Write(&b); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "request.http", b.Bytes())
}

func TestVerifyValid(t *testing.T) {
	req := newSignedRequest(t, "http://127.0.0.1/hooks", signedAt, body, secret)
	rotating := newSignedRequest(t, "http://127.0.0.1/hooks", signedAt, body, otherSecret, secret)
	// A capture written by hand: LF line endings, no Content-Length.
	var handmade strings.Builder
	handmade.WriteString("POST /hooks HTTP/1.1\nHost: example.test\n")
	for _, n := range []string{"webhook-id", "webhook-timestamp", "webhook-signature", "X-Event-Type"} {
		fmt.Fprintf(&handmade, "%s: %s\n", n, req.Header.Get(n))
	}
	handmade.WriteString("\n")
	handmade.Write(body)

	tests := []struct {
		name  string
		opts  receiver.VerifyOptions
		stdin []byte
		want  string
	}{
		{"headers file and body file", receiver.VerifyOptions{HeadersFile: headersFile(t, req.Header), BodyFile: writeFile(t, "body.json", body)}, nil, "valid (standard-webhooks headers, the secret)"},
		{"raw request file", receiver.VerifyOptions{RequestFile: rawRequestFile(t, req)}, nil, "valid (standard-webhooks headers, the secret)"},
		{"raw request on standard input", receiver.VerifyOptions{RequestFile: "-"}, requestBytes(t, req), "valid"},
		{"hand-written capture without Content-Length", receiver.VerifyOptions{RequestFile: writeFile(t, "hand.http", []byte(handmade.String()))}, nil, "valid"},
		{"X-* headers only", receiver.VerifyOptions{HeadersFile: headersFile(t, onlyX(req.Header)), BodyFile: "-"}, body, "valid (x-signature headers, the secret)"},
		{"rotation: the previous secret of two matches", receiver.VerifyOptions{RequestFile: rawRequestFile(t, rotating), Secrets: []string{"whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", secret}}, nil, "valid (standard-webhooks headers, secret 2 of 2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opts
			if o.Secrets == nil {
				o.Secrets = []string{secret}
			}
			o.Now = nowAfter(time.Minute)
			o.Stdin = bytes.NewReader(tt.stdin)
			var out bytes.Buffer
			if err := receiver.Verify(context.Background(), o, &out); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			for _, want := range []string{
				"result     " + tt.want, "event id   " + eventID, "type       " + eventType,
				"signed at  2026-01-02T03:04:05Z (1767323045)", prettyBody,
			} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, out.String())
				}
			}
		})
	}
}

func requestBytes(t *testing.T, req *http.Request) []byte {
	t.Helper()
	var b bytes.Buffer
	clone := req.Clone(context.Background())
	clone.Body, _ = req.GetBody()
	if err := clone.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func onlyX(h http.Header) http.Header {
	out := h.Clone()
	for _, n := range []string{"webhook-id", "webhook-timestamp", "webhook-signature"} {
		out.Del(n)
	}
	return out
}

func TestVerifyInvalidSaysWhy(t *testing.T) {
	req := newSignedRequest(t, "http://127.0.0.1/hooks", signedAt, body, secret)
	headers := headersFile(t, req.Header)
	bodyFile := writeFile(t, "body.json", body)
	tampered := writeFile(t, "tampered.json", bytes.Replace(body, []byte("doc-1"), []byte("doc-2"), 1))
	malformed := req.Header.Clone()
	malformed.Set("webhook-signature", "v1,%%%")

	tests := []struct {
		name    string
		opts    receiver.VerifyOptions
		wantErr error
		wantMsg string
	}{
		{"tampered body", receiver.VerifyOptions{HeadersFile: headers, BodyFile: tampered}, signature.ErrMismatch,
			"invalid: signature mismatch: webhook-signature: none of 1 signature matches 1 secret"},
		{"wrong secret", receiver.VerifyOptions{HeadersFile: headers, BodyFile: bodyFile, Secrets: []string{otherSecret}}, signature.ErrMismatch,
			"invalid: signature mismatch: webhook-signature"},
		{"old timestamp", receiver.VerifyOptions{HeadersFile: headers, BodyFile: bodyFile, Now: nowAfter(time.Hour)}, signature.ErrExpired,
			"invalid: timestamp outside tolerance: webhook-timestamp: 1767323045 is 1h0m0s old, more than the 5m0s tolerance"},
		{"malformed signature", receiver.VerifyOptions{HeadersFile: headersFile(t, malformed), BodyFile: bodyFile}, signature.ErrBadFormat,
			`invalid: bad header format: webhook-signature: v1 signature "%%%" is not base64`},
		{"unsigned", receiver.VerifyOptions{HeadersFile: writeFile(t, "h.txt", []byte("Content-Type: application/json\n")), BodyFile: bodyFile}, signature.ErrMissingHeader,
			"invalid: missing header: webhook-signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opts
			if o.Secrets == nil {
				o.Secrets = []string{secret}
			}
			if o.Now == nil {
				o.Now = nowAfter(time.Minute)
			}
			var out bytes.Buffer
			err := receiver.Verify(context.Background(), o, &out)
			if !errors.Is(err, receiver.ErrInvalid) || !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want ErrInvalid and %v", err, tt.wantErr)
			}
			if !strings.HasPrefix(err.Error(), tt.wantMsg) {
				t.Errorf("message %q\nwant prefix  %q", err, tt.wantMsg)
			}
			if out.Len() != 0 {
				t.Errorf("wrote %q for an invalid request", out.String())
			}
		})
	}
}

func TestVerifyUsageErrors(t *testing.T) {
	bodyFile := writeFile(t, "body.json", body)
	tests := []struct {
		name    string
		opts    receiver.VerifyOptions
		wantMsg string
	}{
		{"no secret", receiver.VerifyOptions{RequestFile: bodyFile}, "give at least one secret"},
		{"malformed secret", receiver.VerifyOptions{Secrets: []string{"whsec_!!"}, RequestFile: bodyFile}, "secret 1: signature: invalid secret"},
		{"no input", receiver.VerifyOptions{Secrets: []string{secret}}, "give a request file, or both a headers file and a body file"},
		{"both inputs", receiver.VerifyOptions{Secrets: []string{secret}, RequestFile: bodyFile, BodyFile: bodyFile}, "not both"},
		{"stdin twice", receiver.VerifyOptions{Secrets: []string{secret}, HeadersFile: "-", BodyFile: "-"}, "cannot both be standard input"},
		{"missing file", receiver.VerifyOptions{Secrets: []string{secret}, RequestFile: bodyFile + ".gone"}, "no such file"},
		{"not a request", receiver.VerifyOptions{Secrets: []string{secret}, RequestFile: bodyFile}, "not a raw HTTP request"},
		{"bad header line", receiver.VerifyOptions{Secrets: []string{secret}, HeadersFile: writeFile(t, "h", []byte("webhook-id: a\nwebhook-signature v1,x\n")), BodyFile: bodyFile}, `h:2: "webhook-signature v1,x" is not a "Name: value" header line`},
		{"empty headers file", receiver.VerifyOptions{Secrets: []string{secret}, HeadersFile: writeFile(t, "h", []byte("# nothing\n")), BodyFile: bodyFile}, "no header lines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := receiver.Verify(context.Background(), tt.opts, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.wantMsg)
			}
			if errors.Is(err, receiver.ErrInvalid) {
				t.Errorf("usage error %v claims the request is invalid", err)
			}
		})
	}
}
