package cli_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/api/wire"
)

func TestCLIEndpoints(t *testing.T) {
	s := newCLIServer(t)
	out := s.ok("webhooks", "add", "--url", "http://127.0.0.1:9/hook", "--title", "CRM",
		"--event", "document.*", "--event", "signature.created", "--header", "X-Tenant: acme, inc", "--max-retries", "3",
		"--rate-limit", "5")
	wantLines(t, "add", out, "Title:", "CRM", "document.*,signature.created", "X-Tenant", "whsec_", "Store the secret now",
		"Rate limit:", "5/s")
	if strings.Contains(out, "…") {
		t.Errorf("add masks the secret:\n%s", out)
	}

	var ep wire.Endpoint
	s.okJSON(&ep, "webhooks", "add", "--url", "https://127.0.0.1:9/other", "--secret", "a-secret-of-enough-length", "--inactive")
	if ep.ID == 0 || ep.Secret != "a-secret-of-enough-length" || ep.Active {
		t.Fatalf("add --json = %+v", ep)
	}
	id := fmt.Sprint(ep.ID)

	out = s.ok("webhooks", "list")
	wantLines(t, "list", out, "ID", "TITLE", "URL", "ACTIVE", "RATE LIMIT", "5/s", "unlimited",
		"http://127.0.0.1:9/hook", "https://127.0.0.1:9/other")
	// Paging: the hint names --cursor, as deliveries list does; --after is its older name.
	first := s.run("webhooks", "list", "--limit", "1")
	hint := "more results: add --cursor "
	if first.code != 0 || !strings.Contains(first.stderr, hint) {
		t.Errorf("list --limit 1: exit %d, stderr %q; want %q", first.code, first.stderr, hint)
	}
	cursor := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(first.stderr), hint))
	for _, flag := range []string{"--cursor", "--after"} {
		if out := s.ok("webhooks", "list", flag, cursor); !strings.Contains(out, "https://127.0.0.1:9/other") || strings.Contains(out, "/hook ") {
			t.Errorf("list %s %s: %s; want the second endpoint only", flag, cursor, out)
		}
	}
	var page wire.EndpointList
	s.okJSON(&page, "webhooks", "list", "--inactive")
	if len(page.Data) != 1 || page.Data[0].ID != ep.ID {
		t.Errorf("list --inactive = %+v", page.Data)
	}

	wantLines(t, "get", s.ok("webhooks", "get", id), "Secret:", "Secret:             …ngth", "Active:", "false")
	wantLines(t, "update", s.ok("webhooks", "update", id, "--title", "Renamed", "--all-events", "--no-headers"), "Renamed")
	wantLines(t, "update --rate-limit", s.ok("webhooks", "update", id, "--rate-limit", "20"), "Rate limit:", "20/s")
	s.fails(1, "rate_limit_per_second", "webhooks", "update", id, "--rate-limit=-1")
	s.fails(1, "rate_limit_per_second", "webhooks", "add", "--url", "http://127.0.0.1:9/x", "--rate-limit", "10001")
	wantLines(t, "get after --rate-limit 0", s.ok("webhooks", "update", id, "--rate-limit", "0"), "Rate limit:", "unlimited")
	wantLines(t, "enable", s.ok("webhooks", "enable", id), "Active:", "true")
	wantLines(t, "disable", s.ok("webhooks", "disable", id, "--reason", "maintenance"), "maintenance")
	s.fails(1, "disabled", "webhooks", "ping", id)
	s.ok("webhooks", "enable", id)
	wantLines(t, "ping", s.ok("webhooks", "ping", id), "ping queued: event ")

	s.okJSON(&ep, "webhooks", "rotate-secret", id)
	if !strings.HasPrefix(ep.Secret, "whsec_") || ep.PreviousSecretExpiresAt == nil {
		t.Errorf("rotate-secret = %+v", ep)
	}
	wantLines(t, "rotate-secret", s.ok("webhooks", "rotate-secret", id, "--secret", "another-long-secret-123"),
		"another-long-secret-123", "Previous secret until:", "Store the secret now")

	s.fails(2, "add --yes to confirm", "webhooks", "rm", id) // standard input is not a terminal here
	s.ok("webhooks", "get", id)                              // still there
	wantLines(t, "rm", s.ok("webhooks", "rm", id, "--yes"), "endpoint "+id+" deleted")
	s.fails(1, "not found", "webhooks", "rm", "-y", id)
}
