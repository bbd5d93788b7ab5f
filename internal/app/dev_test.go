package app

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/config"
	"github.com/hookrelay/hookrelay/internal/store"
)

// The banner suggests nothing that its settings would refuse: no API
// endpoint on loopback while private targets are off, no `listen` for the
// Ackify profile, which listen cannot verify.
func TestDevBannerFollowsTheSettings(t *testing.T) {
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	private := config.Serve{Dev: true}
	private.LogFormat, private.BackoffBase, private.BackoffCap = "text", time.Second, 30*time.Second
	banner := DevBanner(private, addr)
	if strings.Contains(banner, "webhooks add") || !strings.Contains(banner, "Private targets are off") {
		t.Errorf("with private targets off:\n%s", banner)
	}
	ackify := private
	ackify.AllowPrivate, ackify.SignatureProfile = true, store.ProfileAckify
	ackify.EndpointURLs, ackify.EndpointSecret = []string{"http://127.0.0.1:9000/h"}, "ackify-secret"
	banner = DevBanner(ackify, addr)
	if strings.Contains(banner, "hookrelay listen --port") || !strings.Contains(banner, "cannot verify Ackify") {
		t.Errorf("with the ackify profile:\n%s", banner)
	}
}
