package receiver_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/receiver"
	"github.com/hookrelay/hookrelay/internal/testenv"
	"github.com/hookrelay/hookrelay/internal/testhttp"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

// startServe runs receiver.Serve on a real loopback port and returns its
// base URL and output; the server stops when the test ends.
func startServe(t *testing.T, opts receiver.ListenOptions) (string, *testenv.Buffer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	out := &testenv.Buffer{}
	done := make(chan error, 1)
	go func() { done <- receiver.Serve(ctx, ln, opts, out) }()
	t.Cleanup(func() {
		cancel()
		if err := testwait.Receive(t, done, "Serve's return"); err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String(), out
}

// send posts req and returns the status and answer.
func send(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, answer := testhttp.Do(t, req)
	return resp.StatusCode, string(answer)
}

func TestListenVerifiesPrintsAndAnswers(t *testing.T) {
	url, out := startServe(t, receiver.ListenOptions{Secrets: []string{secret}})
	now := time.Now()
	stale := newSignedRequest(t, url+"/stale", now.Add(-time.Hour), body, secret)
	unsigned, err := http.NewRequest(http.MethodPost, url+"/unsigned", strings.NewReader(`{"type":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		req        *http.Request
		wantStatus int
		wantLines  []string
	}{
		{"valid", newSignedRequest(t, url+"/hooks?tenant=1", now, body, secret), http.StatusOK, []string{
			"POST /hooks?tenant=1 -> 200", "result     valid (standard-webhooks headers, the secret)",
			"event id   " + eventID, "type       " + eventType, "body       113 bytes", `      "document_id": "doc-1"`}},
		{"wrong secret", newSignedRequest(t, url+"/wrong", now, body, otherSecret), http.StatusUnauthorized, []string{
			"POST /wrong -> 401", "result     invalid: signature mismatch: webhook-signature", "event id   " + eventID, "type       " + eventType}},
		{"replayed", stale, http.StatusUnauthorized, []string{
			"POST /stale -> 401", "result     invalid: timestamp outside tolerance: webhook-timestamp"}},
		{"unsigned", unsigned, http.StatusBadRequest, []string{
			"POST /unsigned -> 400", "result     invalid: missing header: webhook-signature", "event id   -", "type       x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, answer := send(t, tt.req)
			if status != tt.wantStatus {
				t.Fatalf("status %d (%s), want %d", status, answer, tt.wantStatus)
			}
			printed := out.String()
			for _, want := range tt.wantLines {
				if !strings.Contains(printed, want) {
					t.Errorf("output lacks %q:\n%s", want, printed)
				}
			}
		})
	}
	if strings.Contains(out.String(), secret) || !strings.Contains(out.String(), "whsec_…LaSw (38 chars)") {
		t.Errorf("the secret is not masked:\n%s", out.String())
	}
}

func TestListenAnswersChosenStatus(t *testing.T) {
	url, out := startServe(t, receiver.ListenOptions{Secrets: []string{otherSecret, secret}, Status: http.StatusServiceUnavailable})
	status, answer := send(t, newSignedRequest(t, url+"/hooks", time.Now(), body, secret))
	if status != http.StatusServiceUnavailable || !strings.Contains(answer, "503") {
		t.Errorf("answer %d %q, want 503", status, answer)
	}
	if !strings.Contains(out.String(), "answering 503") || !strings.Contains(out.String(), "secret 2 of 2") {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestListenBodyLimit(t *testing.T) {
	url, _ := startServe(t, receiver.ListenOptions{Secrets: []string{secret}, MaxBodyBytes: 16})
	status, _ := send(t, newSignedRequest(t, url+"/hooks", time.Now(), body, secret))
	if status != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", status)
	}
}

func TestListenBindsPortAndStops(t *testing.T) {
	out := &testenv.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- receiver.Listen(ctx, receiver.ListenOptions{Port: 0, Secrets: []string{secret}}, out) }()
	addr := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)
	var url string
	for deadline := time.Now().Add(5 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := addr.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		cancel()
		t.Fatalf("no listening line in %q", out.String())
	}
	if status, answer := send(t, newSignedRequest(t, url+"/", time.Now(), body, secret)); status != http.StatusOK {
		t.Errorf("status %d (%s)", status, answer)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Listen returned %v after cancel", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Listen did not stop after cancel")
	}
}

// TestListenWithoutSecret prints and answers every request, saying at start
// and in each report that nothing is verified.
func TestListenWithoutSecret(t *testing.T) {
	url, out := startServe(t, receiver.ListenOptions{Status: http.StatusAccepted, MaxBodyBytes: 64})
	req, err := http.NewRequest(http.MethodPost, url+"/hooks", strings.NewReader(`{"type":"document.created","n":1}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Webhook-Id", "msg_1")
	status, answer := send(t, req)
	if status != http.StatusAccepted || !strings.Contains(answer, "unverified") {
		t.Errorf("unsigned request: %d %q; want 202 and a word that it was not verified", status, answer)
	}
	big, _ := http.NewRequest(http.MethodPost, url+"/big", strings.NewReader(strings.Repeat("x", 65)))
	if status, _ := send(t, big); status != http.StatusRequestEntityTooLarge {
		t.Errorf("body over the limit: %d, want 413", status)
	}
	got := out.String()
	for _, want := range []string{"NOT verifying signatures", "POST /hooks -> 202", "UNVERIFIED: no --secret given", "msg_1", "document.created", `"n": 1`} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "signed at") {
		t.Errorf("an unverified report shows a signing time:\n%s", got)
	}
}

func TestListenOptionsValidate(t *testing.T) {
	tests := []struct {
		opts    receiver.ListenOptions
		wantMsg string
	}{
		{receiver.ListenOptions{Port: -1}, "port -1"}, // no secret is fine: requests are printed unverified
		{receiver.ListenOptions{Secrets: []string{"whsec_*"}}, "secret 1: signature: invalid secret"},
		{receiver.ListenOptions{Secrets: []string{secret}, Port: 70000}, "port 70000"},
		{receiver.ListenOptions{Secrets: []string{secret}, Status: 99}, "status 99"},
	}
	for _, tt := range tests {
		err := receiver.Listen(context.Background(), tt.opts, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
			t.Errorf("Listen(%+v) = %v, want %q", tt.opts, err, tt.wantMsg)
		}
	}
}

// TestListenAndVerifyEndToEnd sends one request, captured on the way, to a
// running listener, then verifies the capture with Verify: the receiver kit
// agrees with itself on the same bytes, and the capture goes stale.
func TestListenAndVerifyEndToEnd(t *testing.T) {
	url, out := startServe(t, receiver.ListenOptions{Secrets: []string{secret}})
	ts := time.Now()
	req := newSignedRequest(t, url+"/hooks", ts, body, secret, otherSecret)
	capture := writeFile(t, "captured.http", requestBytes(t, req))
	if status, answer := send(t, req); status != http.StatusOK {
		t.Fatalf("listen answered %d (%s)", status, answer)
	}
	var verified bytes.Buffer
	o := receiver.VerifyOptions{Secrets: []string{otherSecret}, RequestFile: capture}
	if err := receiver.Verify(context.Background(), o, &verified); err != nil {
		t.Fatalf("verify of the captured request: %v", err)
	}
	for _, printed := range []string{out.String(), verified.String()} {
		if !strings.Contains(printed, "event id   "+eventID) || !strings.Contains(printed, `"document_id": "doc-1"`) {
			t.Errorf("output:\n%s", printed)
		}
	}
	o.Now = func() time.Time { return ts.Add(6 * time.Minute) }
	if err := receiver.Verify(context.Background(), o, io.Discard); err == nil || !strings.Contains(err.Error(), "timestamp outside tolerance") {
		t.Errorf("stale capture: error = %v", err)
	}
	o.Tolerance = -1
	if err := receiver.Verify(context.Background(), o, io.Discard); err != nil {
		t.Errorf("stale capture with the check off: %v", err)
	}
}
