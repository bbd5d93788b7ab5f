package app

import (
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/config"
)

func TestDashboardURL(t *testing.T) {
	tests := []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "http://127.0.0.1:8080/ui/"},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 8080}, "http://localhost:8080/ui/"},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 9090}, "http://localhost:9090/ui/"},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 8080}, "http://[::1]:8080/ui/"},
		{&net.TCPAddr{IP: net.ParseIP("192.0.2.7"), Port: 80}, "http://192.0.2.7:80/ui/"},
	}
	for _, tt := range tests {
		if got := DashboardURL(tt.addr); got != tt.want {
			t.Errorf("DashboardURL(%s) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}

func TestDevBanner(t *testing.T) {
	defaultAddr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	dev := config.Serve{Dev: true}
	dev.AllowPrivate, dev.LogFormat, dev.BackoffBase, dev.BackoffCap = true, "text", time.Second, 30*time.Second

	// No loopback receiver configured: a listen with a new secret, the
	// endpoint that points at it with the same secret, a publish.
	banner := DevBanner(dev, defaultAddr)
	secret := regexp.MustCompile(`hookrelay listen --port 9000 --secret (whsec_\S+)\n`).FindStringSubmatch(banner)
	if secret == nil {
		t.Fatalf("no listen command with a secret:\n%s", banner)
	}
	for _, want := range []string{
		"development mode", "loopback and private addresses", "retried after 1s, doubling up to 30s",
		"hookrelay webhooks add --url http://127.0.0.1:9000/hooks --secret " + secret[1] + "\n",
		`hookrelay events publish --type dev.ping --data '{"hello":"world"}'` + "\n",
	} {
		if !strings.Contains(banner, want) {
			t.Errorf("the banner lacks %q:\n%s", want, banner)
		}
	}
	if again := DevBanner(dev, defaultAddr); strings.Contains(again, secret[1]) {
		t.Error("two banners suggest the same secret")
	}

	// Another address, a token, all addresses: --server names localhost.
	dev.APIToken = strings.Repeat("t", 32)
	banner = DevBanner(dev, &net.TCPAddr{IP: net.IPv4zero, Port: 9090})
	for _, want := range []string{"--server http://localhost:9090 --url", "HOOKRELAY_API_TOKEN"} {
		if !strings.Contains(banner, want) {
			t.Errorf("the banner lacks %q:\n%s", want, banner)
		}
	}

	// A loopback receiver in WEBHOOK_URLS: listen on its port with
	// WEBHOOK_SECRET, named and never printed.
	dev.APIToken = ""
	dev.EndpointURLs = []string{"https://example.com/hooks", "http://[::1]:7000/in"}
	dev.EndpointSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	banner = DevBanner(dev, defaultAddr)
	if want := `hookrelay listen --port 7000 --host ::1 --secret "$WEBHOOK_SECRET"`; !strings.Contains(banner, want) {
		t.Errorf("the banner lacks %q:\n%s", want, banner)
	}
	if strings.Contains(banner, dev.EndpointSecret) || strings.Contains(banner, "webhooks add") {
		t.Errorf("the banner shows WEBHOOK_SECRET or adds an endpoint:\n%s", banner)
	}
}
