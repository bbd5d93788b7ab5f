package receiver_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/receiver"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

// appRequest is what the local app behind listen received.
type appRequest struct {
	method, uri string
	header      http.Header
	body        string
}

// startApp runs a loopback app that records each request on got and answers
// 201 with a JSON body and a header of its own.
func startApp(t *testing.T) (*httptest.Server, chan appRequest) {
	t.Helper()
	got := make(chan appRequest, 4)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- appRequest{method: r.Method, uri: r.URL.RequestURI(), header: r.Header.Clone(), body: string(b)}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-App", "mine")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"handled":true}`)
	}))
	t.Cleanup(app.Close)
	return app, got
}

func TestListenForwardsVerifiedRequests(t *testing.T) {
	app, got := startApp(t)
	url, out := startServe(t, receiver.ListenOptions{Secrets: []string{secret}, ForwardTo: app.URL + "/webhooks?src=listen"})

	req := newSignedRequest(t, url+"/?tenant=1", time.Now(), body, secret)
	sig := req.Header.Get("Webhook-Signature")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || string(answer) != `{"handled":true}` || resp.Header.Get("X-App") != "mine" {
		t.Errorf("sender got %d %q X-App=%q, want the app's 201", resp.StatusCode, answer, resp.Header.Get("X-App"))
	}
	r := testwait.Receive(t, got, "the forwarded request")
	if r.method != http.MethodPost || r.uri != "/webhooks?src=listen&tenant=1" || r.body != string(body) {
		t.Errorf("app got %s %s %q", r.method, r.uri, r.body)
	}
	if r.header.Get("Webhook-Signature") != sig || r.header.Get("Content-Type") != "application/json" || r.header.Get("X-Event-Type") != eventType {
		t.Errorf("app got headers %v", r.header)
	}
	if !strings.Contains(out.String(), "POST /?tenant=1 -> 201") || !strings.Contains(out.String(), "the app answered 201 (16 bytes)") {
		t.Errorf("output:\n%s", out.String())
	}

	if !strings.Contains(out.String(), "forwarding accepted requests to "+app.URL+"/webhooks?src=listen") {
		t.Errorf("start line: %s", out.String())
	}

	// A path beyond / is joined to the target's path.
	if status, _ := send(t, newSignedRequest(t, url+"/billing", time.Now(), body, secret)); status != http.StatusCreated {
		t.Errorf("status %d", status)
	}
	if r := testwait.Receive(t, got, "the second request"); r.uri != "/webhooks/billing?src=listen" {
		t.Errorf("app got %s", r.uri)
	}

	// A rejected request is answered by listen and never reaches the app.
	if status, _ := send(t, newSignedRequest(t, url+"/", time.Now(), body, otherSecret)); status != http.StatusUnauthorized {
		t.Errorf("wrong secret: status %d", status)
	}
	if len(got) != 0 {
		t.Errorf("the app received a rejected request: %+v", <-got)
	}
}

func TestListenForwardAppDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String() + "/webhooks"
	ln.Close() // nothing listens there any more
	url, out := startServe(t, receiver.ListenOptions{Secrets: []string{secret}, ForwardTo: down})
	status, answer := send(t, newSignedRequest(t, url+"/", time.Now(), body, secret))
	if status != http.StatusBadGateway || !strings.Contains(answer, "app not reached") || !strings.Contains(answer, down) {
		t.Errorf("answer %d %q, want 502 naming %s", status, answer, down)
	}
	if !strings.Contains(out.String(), "-> 502") || !strings.Contains(out.String(), "answered 502") {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestListenForwardToValidate(t *testing.T) {
	for _, bad := range []string{"localhost:3000", "ftp://x/y", "http://"} {
		err := receiver.ListenOptions{Secrets: []string{secret}, ForwardTo: bad}.Validate()
		if err == nil || !strings.Contains(err.Error(), "must be an http:// or https:// URL") {
			t.Errorf("ForwardTo %q: %v", bad, err)
		}
	}
}

// Forwarding keeps to the target: a path cannot climb above the target's
// path, the target's query parameters win, headers that the sender named
// hop-by-hop stay behind, nothing is added, and the target's credentials are
// never printed.
func TestListenForwardKeepsToTheTarget(t *testing.T) {
	app, got := startApp(t)
	target := strings.Replace(app.URL, "http://", "http://user:FwdS3cret@", 1) + "/webhooks?k=app"
	url, out := startServe(t, receiver.ListenOptions{Secrets: []string{secret}, ForwardTo: target})
	req := newSignedRequest(t, url+"/../%2e%2e/x?k=sender&other=1", time.Now(), body, secret)
	req.Header.Set("Connection", "X-Drop-Me")
	req.Header.Set("X-Drop-Me", "hop secret")
	sender := &http.Client{Transport: &http.Transport{DisableCompression: true}} // sends no Accept-Encoding
	resp, err := sender.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	r := testwait.Receive(t, got, "the forwarded request")
	if r.uri != "/webhooks/x?k=app&other=1" {
		t.Errorf("app got %s, want /webhooks/x?k=app&other=1", r.uri)
	}
	if r.header.Get("X-Drop-Me") != "" || r.header.Get("Accept-Encoding") != "" {
		t.Errorf("app got headers %v, want no hop-by-hop header and nothing added", r.header)
	}
	testwait.Until(t, "the forward line", func() bool { return strings.Contains(out.String(), "forwarded") })
	if strings.Contains(out.String(), "FwdS3cret") {
		t.Errorf("listen printed the target's password:\n%s", out.String())
	}
}
