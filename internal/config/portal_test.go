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
		{func(s *Serve) { s.PublicURL = "http://hooks.example.com#" }, "HOOKRELAY_PUBLIC_URL"},
		{func(s *Serve) { s.PublicURL = "http://hooks.example.com?" }, "HOOKRELAY_PUBLIC_URL"},
		{func(s *Serve) { s.PublicURL = "http://hooks.example.com/?" }, "HOOKRELAY_PUBLIC_URL"},
		{func(s *Serve) { s.PublicURL = "http://hooks.example.com/#x" }, "HOOKRELAY_PUBLIC_URL"},
		{func(s *Serve) { s.PublicURL = "https://u@hooks.example.com" }, "HOOKRELAY_PUBLIC_URL"},
		{func(s *Serve) { s.PublicURL = "https:hooks.example.com" }, "HOOKRELAY_PUBLIC_URL"},
		{func(s *Serve) { s.PublicURL = "https://hooks.example.com:" }, "HOOKRELAY_PUBLIC_URL"},
		{func(s *Serve) { s.PublicURL = "https://:8443" }, "HOOKRELAY_PUBLIC_URL"},
		{func(s *Serve) { s.PortalFrameAncestors = []string{"app.example.com"} }, "HOOKRELAY_PORTAL_FRAME_ANCESTORS"},
		{func(s *Serve) { s.PortalFrameAncestors = []string{"https://a.example; script-src *"} }, "HOOKRELAY_PORTAL_FRAME_ANCESTORS"},
		{func(s *Serve) { s.PortalFrameAncestors = []string{"*"} }, "HOOKRELAY_PORTAL_FRAME_ANCESTORS"},
		{func(s *Serve) { s.PortalFrameAncestors = []string{"https://*.com"} }, "HOOKRELAY_PORTAL_FRAME_ANCESTORS"},
		{func(s *Serve) { s.PortalFrameAncestors = []string{"https://.:"} }, "HOOKRELAY_PORTAL_FRAME_ANCESTORS"},
		{func(s *Serve) { s.PortalFrameAncestors = []string{"https:///"} }, "HOOKRELAY_PORTAL_FRAME_ANCESTORS"},
		{func(s *Serve) { s.PortalFrameAncestors = []string{"https://app.example.com/embed"} }, "HOOKRELAY_PORTAL_FRAME_ANCESTORS"},
		{func(s *Serve) { s.PortalTitle = strings.Repeat("x", 101) }, "HOOKRELAY_PORTAL_TITLE"},
		{func(s *Serve) { s.PortalTitle = "Acme\nHooks" }, "HOOKRELAY_PORTAL_TITLE"},
		{func(s *Serve) { s.PortalTitle = "Acme \u202eskooH" }, "HOOKRELAY_PORTAL_TITLE"},
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

// TestPortalPublicBase: HOOKRELAY_PUBLIC_URL is normalised (scheme and host
// lower-cased, no trailing "/"), and its scheme decides HTTPS whatever its
// case, so that HTTPS://… still makes the portal's cookie Secure.
func TestPortalPublicBase(t *testing.T) {
	for _, tc := range []struct {
		raw, base string
		https     bool
	}{
		{"", "", false},
		{"HTTPS://Hooks.Example.COM/", "https://hooks.example.com", true},
		{"Http://hooks.example.com:8080", "http://hooks.example.com:8080", false},
		{"https://[::1]:8443", "https://[::1]:8443", true},
	} {
		base, https, err := Portal{PublicURL: tc.raw}.PublicBase()
		if err != nil || base != tc.base || https != tc.https {
			t.Errorf("PublicBase(%q) = %q, %v, %v; want %q, %v", tc.raw, base, https, err, tc.base, tc.https)
		}
	}
}
