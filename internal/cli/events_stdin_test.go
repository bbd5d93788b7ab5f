package cli

import (
	"bytes"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/api"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

// TestPublishFileFromStdin runs `events publish --file -` on a stdin of its
// own, which Main does not take.
func TestPublishFileFromStdin(t *testing.T) {
	st := testenv.NewSQLite(t)
	if _, err := st.CreateEndpoint(t.Context(), store.Endpoint{URL: "http://127.0.0.1:9/a", Secret: "s", Active: true}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Options{Store: st, AllowPrivateTargets: true}))
	t.Cleanup(srv.Close)
	cmd := eventsPublishCmd{
		apiFlags:         apiFlags{Server: srv.URL},
		publishFileFlags: publishFileFlags{File: "-", BatchSize: 1000},
	}
	var out bytes.Buffer
	stdin := strings.NewReader("{\"type\":\"document.created\"}\n{\"type\":\"document.deleted\"}") // no final newline
	if err := cmd.Run(Env{Ctx: t.Context(), Stdin: stdin, Stdout: &out, Stderr: io.Discard}); err != nil {
		t.Fatalf("publish --file -: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "line 2: event ") || !strings.Contains(out.String(), "2 events: 2 published") {
		t.Errorf("output %q, want a result for both lines", out.String())
	}
	bad := strings.NewReader("{\"type\":\"document.created\"}\nnope\n")
	err := cmd.Run(Env{Ctx: t.Context(), Stdin: bad, Stdout: io.Discard, Stderr: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "stdin line 2: not an event object") {
		t.Errorf("bad stdin: %v, want an error naming stdin line 2", err)
	}
}
