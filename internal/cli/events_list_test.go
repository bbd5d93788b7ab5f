package cli_test

import (
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/api/wire"
)

func TestCLIEventsList(t *testing.T) {
	s := newCLIServer(t)
	var ids []string // oldest first
	for _, typ := range []string{"document.created", "signature.created", "document.created"} {
		var res wire.PublishResponse
		s.okJSON(&res, "trigger", typ)
		ids = append(ids, res.EventID)
	}
	r := s.run("events", "list", "--limit", "2")
	if r.code != 0 {
		t.Fatalf("events list: exit %d, %s", r.code, r.stderr)
	}
	wantLines(t, "events list", r.stdout, "CREATED", "TYPE", ids[2], ids[1])
	if strings.Contains(r.stdout, ids[0]) || !strings.Contains(r.stderr, "more results: add --cursor ") {
		t.Fatalf("page 1: stdout %q stderr %q", r.stdout, r.stderr)
	}
	cursor := strings.TrimSpace(strings.TrimPrefix(r.stderr, "more results: add --cursor "))
	var page wire.EventList
	s.okJSON(&page, "events", "list", "--limit", "2", "--cursor", cursor)
	if len(page.Data) != 1 || page.Data[0].ID != ids[0] || page.NextCursor != "" {
		t.Errorf("page 2 = %+v", page)
	}
	s.okJSON(&page, "events", "list", "--type", "signature.created")
	if len(page.Data) != 1 || page.Data[0].ID != ids[1] {
		t.Errorf("--type = %+v", page)
	}
	s.fails(2, "--created-after", "events", "list", "--created-after", "yesterday")
	s.fails(1, "cursor", "events", "list", "--cursor", "nope")
}
