package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

func TestCLIPublishFile(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		t.Run("ResultPerLine", func(t *testing.T) { t.Parallel(); testPublishFileResults(t, newCLIServerOn(t, newStore(t))) })
		t.Run("BadLine", func(t *testing.T) { t.Parallel(); testPublishFileBadLine(t, newCLIServerOn(t, newStore(t))) })
		t.Run("Chunks", func(t *testing.T) { t.Parallel(); testPublishFileChunks(t, newCLIServerOn(t, newStore(t))) })
	})
}

// writeLines writes a JSON-lines file of lines and returns its path.
func writeLines(t *testing.T, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "events.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func testPublishFileResults(t *testing.T, s *cliServer) {
	s.ok("webhooks", "add", "--url", "http://127.0.0.1:9/a")
	const id = "0190b6a4-0000-7000-8000-00000000f11e"
	path := writeLines(t,
		`{"type":"document.created","data":{"doc":1}}`,
		`{"id":"`+id+`","type":"document.created","ordering_key":"doc-1"}`,
		``,
		`{"type":"bad type"}`,
		`{"id":"`+id+`","type":"document.created"}`,
	)
	r := s.run("events", "publish", "--file", path)
	checkFails(t, r, 1, "1 of 4 events refused (lines 4)", []string{"events publish --file"})
	wantLines(t, "publish --file", r.stdout,
		"line 1: event ", "published: 1 delivery",
		"line 2: event "+id+" published: 1 delivery",
		"line 4: refused: type: ", "(HTTP 422, validation_failed)",
		"line 5: event "+id+" was already published",
		"4 events: 2 published, 1 already published, 1 refused")
	if ds, _ := s.store.ListDeliveries(context.Background(), store.DeliveryFilter{}); len(ds) != 2 || ds[0].OrderingKey != "doc-1" {
		t.Errorf("deliveries %+v, want 2, the newest with ordering key doc-1", ds)
	}
}

func testPublishFileBadLine(t *testing.T, s *cliServer) {
	s.ok("webhooks", "add", "--url", "http://127.0.0.1:9/a")
	path := writeLines(t,
		`{"type":"document.created"}`,
		`{"type":"document.created"}`,
		`{"type":"document.created",`,
		`{"type":"document.created"}`,
	)
	r := s.run("events", "publish", "--file", path, "--batch-size", "1")
	checkFails(t, r, 1, "events.jsonl line 3: not an event object", []string{"events publish --file"})
	if ds, _ := s.store.ListDeliveries(context.Background(), store.DeliveryFilter{}); len(ds) != 2 {
		t.Errorf("%d deliveries, want 2: the lines before the bad one", len(ds))
	}
	unknown := writeLines(t, `{"type":"document.created","tpye":"x"}`)
	s.fails(1, "line 1: not an event object: unknown field \"tpye\"", "events", "publish", "--file", unknown)
	badKey := writeLines(t, `{"type":"document.created"}`, "{\"type\":\"document.created\",\"ordering_key\":\"k\xff\"}")
	s.fails(1, "line 2: not valid UTF-8", "events", "publish", "--file", badKey)
	if ds, _ := s.store.ListDeliveries(context.Background(), store.DeliveryFilter{}); len(ds) != 3 {
		t.Errorf("%d deliveries, want 3: the line with bad UTF-8 is refused", len(ds))
	}
	s.fails(2, "--file takes every field from the file", "events", "publish", "--file", path, "--type", "a.b")
	s.fails(2, "--type is required", "events", "publish")
	s.fails(2, "--batch-size", "events", "publish", "--file", path, "--batch-size", "1001")
	s.fails(2, "--file", "events", "publish", "--file", filepath.Join(t.TempDir(), "missing.jsonl"))
}

func testPublishFileChunks(t *testing.T, s *cliServer) {
	s.ok("webhooks", "add", "--url", "http://127.0.0.1:9/a")
	var lines []string
	for i := range 25 {
		lines = append(lines, fmt.Sprintf(`{"type":"document.created","data":{"n":%d}}`, i))
	}
	raw := s.ok("events", "publish", "--file", writeLines(t, lines...), "--batch-size", "10", "--json")
	var got []int
	for line := range strings.Lines(raw) {
		var res struct {
			Line    int    `json:"line"`
			Status  int    `json:"status"`
			EventID string `json:"event_id"`
		}
		if err := json.Unmarshal([]byte(line), &res); err != nil || res.Status != 202 || res.EventID == "" {
			t.Fatalf("--json printed %q (%v), want one result per line", line, err)
		}
		got = append(got, res.Line)
	}
	if len(got) != 25 || got[0] != 1 || got[24] != 25 {
		t.Errorf("results for lines %v, want 1 to 25", got)
	}
	if ds, _ := s.store.ListDeliveries(context.Background(), store.DeliveryFilter{}); len(ds) != 25 {
		t.Errorf("%d deliveries, want 25", len(ds))
	}
}
