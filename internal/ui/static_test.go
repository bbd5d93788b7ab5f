package ui_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/testenv"
)

func TestStaticFilesAndHeaders(t *testing.T) {
	s := newSite(t, testenv.NewSQLite(t), testToken)
	b := s.newBrowser()
	login := b.get("/ui/login").must(t, http.StatusOK)
	for name, value := range map[string]string{
		"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
	} {
		if got := login.header.Get(name); got != value {
			t.Errorf("%s: %q, want %q", name, got, value)
		}
	}
	if csp := login.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	if strings.Contains(login.body, "<script>") || strings.Contains(login.body, "style=") || strings.Contains(login.body, "http://") {
		t.Error("the page has inline script, inline style or an outside URL")
	}

	assets := regexp.MustCompile(`(?:href|src)="(/ui/static/[^"]+)"`).FindAllStringSubmatch(login.body, -1)
	if len(assets) < 3 {
		t.Fatalf("assets %v", assets)
	}
	for _, a := range assets {
		p := b.get(a[1]).must(t, http.StatusOK)
		if !strings.Contains(p.header.Get("Cache-Control"), "immutable") || len(p.body) == 0 {
			t.Errorf("%s: Cache-Control %q, %d bytes", a[1], p.header.Get("Cache-Control"), len(p.body))
		}
	}
	b.get("/ui/static/app.css").must(t, http.StatusOK)
	b.get("/ui/static/").must(t, http.StatusNotFound)
	b.get("/ui/static/missing.js").must(t, http.StatusNotFound)
}
