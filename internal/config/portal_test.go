package config

import (
	"strings"
	"testing"
)

// TestPortalSettings: the portal's settings are checked with serve's, each
// refusal naming its variable; good values pass.
func TestPortalSettings(t *testing.T) {
	good := validServe()
	good.PublicURL = "https://hooks.example.com:8443/"
	good.PortalFrameAncestors = []string{"https://app.example.com", "https://*.example.org:8443", "'self'"}
	good.PortalTitle = "Acme Webhooks"
	good.PortalColor = "#0A7cff"
	if err := good.Validate(); err != nil {
		t.Fatalf("good portal settings refused: %v", err)
	}
	for _, tc := range []struct {
		mutate func(*Serve)
		want   string
	}{
		{func(s *Serve) { s.PublicURL = "hooks.example.com" }, "HOOKRELAY_PUBLIC_URL"},
		{func(s *Serve) { s.PublicURL = "ftp://hooks.example.com" }, "HOOKRELAY_PUBLIC_URL"},
		{func(s *Serve) { s.PublicURL = "https://hooks.example.com/?a=b" }, "HOOKRELAY_PUBLIC_URL"},
		{func(s *Serve) { s.PublicURL = "https://u:p@hooks.example.com" }, "HOOKRELAY_PUBLIC_URL"},
		{func(s *Serve) { s.PublicURL = "https://example.com/hooks" }, "HOOKRELAY_PUBLIC_URL"},
		{func(s *Serve) { s.PortalFrameAncestors = []string{"app.example.com"} }, "HOOKRELAY_PORTAL_FRAME_ANCESTORS"},
		{func(s *Serve) { s.PortalFrameAncestors = []string{"https://a.example; script-src *"} }, "HOOKRELAY_PORTAL_FRAME_ANCESTORS"},
		{func(s *Serve) { s.PortalFrameAncestors = []string{"*"} }, "HOOKRELAY_PORTAL_FRAME_ANCESTORS"},
		{func(s *Serve) { s.PortalTitle = strings.Repeat("x", 101) }, "HOOKRELAY_PORTAL_TITLE"},
		{func(s *Serve) { s.PortalColor = "red" }, "HOOKRELAY_PORTAL_COLOR"},
		{func(s *Serve) { s.PortalColor = "#12345" }, "HOOKRELAY_PORTAL_COLOR"},
	} {
		s := validServe()
		tc.mutate(&s)
		if err := s.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want an error naming %s", s.Portal, err, tc.want)
		}
	}
}
