package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/internal/testdb"
	"github.com/hookrelay/hookrelay/internal/testhttp"
	"github.com/hookrelay/hookrelay/signature"
)

// event is what the receiver got: a verified envelope.
type event struct {
	ID   string          `json:"id"`
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

func TestDocumentFlowEndToEnd(t *testing.T) {
	pool, err := pgxpool.New(t.Context(), testdb.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	a, err := newApp(t.Context(), pool,
		hookrelay.WithAllowPrivateTargets(),
		hookrelay.WithPollInterval(20*time.Millisecond),
		hookrelay.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.hooks.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.hooks.Stop(context.Background()) })
	service := httptest.NewServer(a.routes())
	t.Cleanup(service.Close)
	call := func(method, path string, body any, want int) []byte {
		t.Helper()
		return do(t, method, service.URL+path, body, want)
	}

	// The receiver verifies each request with the webhook's secret.
	secret, err := signature.GenerateSecret()
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan event, 20)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ev event
		if _, err := signature.Verify(r.Header, body, signature.VerifyOptions{Secrets: []string{secret}}); err != nil {
			t.Errorf("receiver: %v", err)
		} else if err := json.Unmarshal(body, &ev); err != nil {
			t.Errorf("receiver: %v", err)
		}
		events <- ev
	}))
	t.Cleanup(receiver.Close)
	var hook webhook
	decodeInto(t, call("POST", "/admin/webhooks", webhook{URL: receiver.URL, Secret: secret}, http.StatusCreated), &hook)

	var doc document
	decodeInto(t, call("POST", "/documents", document{Title: "Security policy", ExpectedSigners: []string{"alice", "bob"}}, http.StatusCreated), &doc)
	call("POST", "/documents/"+doc.ID+"/signatures", confirmation{Signer: "alice"}, http.StatusCreated)
	// Refused writes roll back, and so do their events.
	call("POST", "/documents/"+doc.ID+"/signatures", confirmation{Signer: "alice"}, http.StatusConflict)
	call("POST", "/documents/"+doc.ID+"/signatures", confirmation{Signer: "mallory"}, http.StatusUnprocessableEntity)
	call("POST", "/documents/doc_missing/signatures", confirmation{Signer: "alice"}, http.StatusNotFound)
	call("POST", "/documents/"+doc.ID+"/signatures", confirmation{Signer: "bob"}, http.StatusCreated)

	got := receive(t, events, 4)
	types := make([]string, len(got))
	for i, ev := range got {
		types[i] = ev.Type
	}
	slices.Sort(types)
	if want := []string{"document.completed", "document.created", "signature.created", "signature.created"}; !slices.Equal(types, want) {
		t.Errorf("received %v, want %v", types, want)
	}
	var stored document
	decodeInto(t, call("GET", "/documents/"+doc.ID, nil, http.StatusOK), &stored)
	if stored.CompletedAt == nil || len(stored.Signatures) != 2 {
		t.Errorf("stored document %+v, want completed with 2 signatures", stored)
	}

	// Nothing more was queued: a disabled webhook gets nothing, and once
	// enabled again the next event is the only one that arrives.
	call("POST", "/admin/webhooks/"+itoa(hook.ID)+"/disable", nil, http.StatusOK)
	call("POST", "/documents", document{Title: "Unseen", ExpectedSigners: []string{"carol"}}, http.StatusCreated)
	call("POST", "/admin/webhooks/"+itoa(hook.ID)+"/enable", nil, http.StatusOK)
	var last document
	decodeInto(t, call("POST", "/documents", document{Title: "Last", ExpectedSigners: []string{"carol"}}, http.StatusCreated), &last)
	next := receive(t, events, 1)[0]
	var data document
	if err := json.Unmarshal(next.Data, &data); err != nil || next.Type != "document.created" || data.ID != last.ID {
		t.Errorf("next event %s %s, want document.created of %s", next.Type, next.Data, last.ID)
	}
	var hooks []webhook
	decodeInto(t, call("GET", "/admin/webhooks", nil, http.StatusOK), &hooks)
	if len(hooks) != 1 || !hooks[0].Active || hooks[0].Secret != "" {
		t.Errorf("admin list %+v, want the one active webhook, its secret hidden", hooks)
	}
}

// receive waits for n events.
func receive(t *testing.T, events <-chan event, n int) []event {
	t.Helper()
	var got []event
	timeout := time.After(10 * time.Second)
	for len(got) < n {
		select {
		case ev := <-events:
			got = append(got, ev)
		case <-timeout:
			t.Fatalf("received %d events, want %d: %+v", len(got), n, got)
		}
	}
	return got
}

// do sends a JSON request and checks the answer's status.
func do(t *testing.T, method, url string, body any, want int) []byte {
	t.Helper()
	var payload io.Reader = http.NoBody
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		payload = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, payload)
	if err != nil {
		t.Fatal(err)
	}
	resp, answer := testhttp.Do(t, req)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %s, want %d", method, url, resp.StatusCode, answer, want)
	}
	return answer
}

func decodeInto(t *testing.T, body []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
