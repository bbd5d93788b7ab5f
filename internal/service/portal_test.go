package service_test

import (
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
)

// TestCheckPortalBrandingTitle: a branding title with a control character
// (Cc) or a bidirectional formatting character is refused on
// branding.title; ordinary text, other scripts and emoji pass.
func TestCheckPortalBrandingTitle(t *testing.T) {
	for _, good := range []string{"", "Acme Webhooks", "Café — Webhooks", "שלום hooks", "Hooks 🚀", strings.Repeat("é", service.MaxPortalTitle)} {
		if err := service.CheckPortalBranding(store.PortalBranding{Title: good}); err != nil {
			t.Errorf("title %q refused: %v", good, err)
		}
	}
	for _, bad := range []string{"Acme\nHooks", "Acme\rHooks", "Acme\tHooks", "Acme\x00", "Acme\u0085Hooks", "Acme\x7f",
		"Acme \u202eskooH", "\u202aAcme", "\u202dAcme", "\u2066Acme\u2069", "\u2068Acme", "Acme\u200e", "Acme\u200f",
		strings.Repeat("x", service.MaxPortalTitle+1), "Acme\xff"} {
		err := service.CheckPortalBranding(store.PortalBranding{Title: bad})
		if err == nil || !strings.Contains(err.Error(), service.FieldBrandingTitle) {
			t.Errorf("title %q: %v, want a refusal on %s", bad, err, service.FieldBrandingTitle)
		}
	}
}
