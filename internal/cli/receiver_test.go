package cli

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/testenv"
	"github.com/hookrelay/hookrelay/internal/testwait"
	"github.com/hookrelay/hookrelay/signature"
)

// signedRequestFiles writes the headers and body of a request signed with
// secret, as a receiver would capture them.
func signedRequestFiles(t *testing.T, secret string, body []byte) (headersFile, bodyFile string) {
	t.Helper()
	h := http.Header{}
	if err := signature.SetHeaders(h, "evt-1", time.Now(), body, secret); err != nil {
		t.Fatal(err)
	}
	h.Set("X-Event-Type", "document.created")
	var lines bytes.Buffer
	for name, values := range h {
		fmt.Fprintf(&lines, "%s: %s\n", name, strings.Join(values, ", "))
	}
	dir := t.TempDir()
	headersFile, bodyFile = filepath.Join(dir, "headers.txt"), filepath.Join(dir, "body.json")
	if err := os.WriteFile(headersFile, lines.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bodyFile, body, 0o600); err != nil {
		t.Fatal(err)
	}
	return headersFile, bodyFile
}

func TestVerifyCommand(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	body := []byte(`{"id":"evt-1","type":"document.created","data":{"n":1}}`)
	headers, bodyFile := signedRequestFiles(t, secret, body)

	stdout, stderr, code := runCLI(t, "verify", "--secret", secret, "--headers", headers, "--body", bodyFile)
	if code != 0 || !strings.Contains(stdout, "evt-1") {
		t.Fatalf("valid request: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	_, stderr, code = runCLI(t, "verify", "--secret", "whsec_"+strings.Repeat("A", 32), "--headers", headers, "--body", bodyFile)
	if code != 1 || !strings.Contains(stderr, "mismatch") {
		t.Errorf("wrong secret: exit %d, stderr %q; want exit 1 naming a mismatch", code, stderr)
	}
	if err := os.WriteFile(bodyFile, append(body, ' '), 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = runCLI(t, "verify", "--secret", secret, "--headers", headers, "--body", bodyFile)
	if code != 1 || !strings.Contains(stderr, "mismatch") {
		t.Errorf("tampered body: exit %d, stderr %q", code, stderr)
	}
	_, stderr, code = runCLI(t, "verify", "--secret", secret, "--headers", headers)
	if code != 2 || !strings.Contains(stderr, "body file") {
		t.Errorf("missing --body: exit %d, stderr %q; want a usage error", code, stderr)
	}
}

// TestVerifyTolerance: --tolerance takes a duration more than 0 or off;
// 0 and negative durations are refused with a reason (exit 2), also when
// written "--tolerance -1s".
func TestVerifyTolerance(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	headers, bodyFile := signedRequestFiles(t, secret, []byte(`{"id":"evt-1"}`))
	for _, tol := range []string{"1h", "off", "OFF"} {
		if _, stderr, code := runCLI(t, "verify", "--secret", secret, "--headers", headers, "--body", bodyFile, "--tolerance", tol); code != 0 {
			t.Errorf("--tolerance %s: exit %d, stderr %q", tol, code, stderr)
		}
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--tolerance", "0"}, "0 would refuse every request"},
		{[]string{"--tolerance", "-1s"}, "-1s: must be more than 0; give off"},
		{[]string{"--tolerance=-5m"}, "-5m: must be more than 0"},
		{[]string{"--tolerance", "soon"}, `"soon" is not a duration`},
	} {
		args := append([]string{"verify", "--secret", secret, "--headers", headers, "--body", bodyFile}, tt.args...)
		if _, stderr, code := runCLI(t, args...); code != 2 || !strings.Contains(stderr, tt.want) || strings.Contains(stderr, "perhaps") {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tt.args, code, stderr, tt.want)
		}
	}
}

func TestListenCommand(t *testing.T) {
	const secret = "plain-shared-secret"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	ctx, cancel := context.WithCancel(context.Background())
	out := &testenv.Buffer{}
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"listen", "--port", fmt.Sprint(port), "--secret", secret, "--status", "503"}, out, out)
	}()
	body := []byte(`{"id":"evt-9","type":"signature.created","data":{"ok":true}}`)
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("http://127.0.0.1:%d/", port), bytes.NewReader(body))
	if err := signature.SetHeaders(req.Header, "evt-9", time.Now(), body, secret); err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Event-Type", "signature.created")
	var resp *http.Response
	for deadline := time.Now().Add(5 * time.Second); ; {
		if resp, err = http.DefaultClient.Do(req); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
		req.Body, _ = req.GetBody()
	}
	if err != nil {
		t.Fatalf("listen never answered: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Errorf("verified request answered %d, want the chosen 503", resp.StatusCode)
	}
	cancel()
	if code := testwait.Receive(t, done, "listen exit"); code != 0 {
		t.Errorf("listen exit %d: %s", code, out.String())
	}
	if got := out.String(); !strings.Contains(got, "evt-9") || !strings.Contains(got, "signature.created") || strings.Contains(got, secret) {
		t.Errorf("listen output %q: want the event id and type, and never the secret", got)
	}
}
