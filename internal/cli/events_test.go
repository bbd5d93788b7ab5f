package cli_test

import (
	"testing"

	"github.com/hookrelay/hookrelay/internal/api/wire"
)

func TestCLIEvents(t *testing.T) {
	s := newCLIServer(t)
	s.ok("webhooks", "add", "--url", "http://127.0.0.1:9/a")
	s.ok("webhooks", "add", "--url", "http://127.0.0.1:9/b", "--event", "signature.*")

	const id = "0190b6a4-0000-7000-8000-00000000abcd"
	out := s.ok("events", "publish", "--type", "document.created", "--data", `{"doc":1}`, "--id", id, "--priority", "2", "--ordering-key", "doc-1")
	wantLines(t, "publish", out, "event "+id+" published: 1 delivery")
	wantLines(t, "publish again", s.ok("events", "publish", "--type", "document.created", "--id", id), "already published")

	var res wire.PublishResponse
	s.okJSON(&res, "events", "publish", "--type", "signature.created", "--endpoint", "2")
	if !res.Created || res.Deliveries != 1 {
		t.Errorf("publish --endpoint 2 = %+v", res)
	}
	// --webhook, as the other commands call it, is the same flag.
	s.okJSON(&res, "events", "publish", "--type", "signature.created", "--webhook", "2")
	if !res.Created || res.Deliveries != 1 {
		t.Errorf("publish --webhook 2 = %+v", res)
	}

	out = s.ok("events", "get", id)
	wantLines(t, "get", out, "Type:", "document.created", "Ordering key:", "doc-1", `{"doc":1}`, "ENDPOINT", "pending")
	var ev wire.EventDetail
	s.okJSON(&ev, "events", "get", id)
	if ev.ID != id || len(ev.Deliveries) != 1 || ev.OrderingKey != "doc-1" || ev.Deliveries[0].OrderingKey != "doc-1" {
		t.Errorf("get --json = %+v", ev)
	}
	s.fails(1, "not found", "events", "get", "0190b6a4-0000-7000-8000-0000000000ff")
	s.fails(1, "not a UUID", "events", "get", "nope")
}
