package app

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/hookrelay/hookrelay/internal/config"
	"github.com/hookrelay/hookrelay/internal/mask"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/signature"
)

// devListenPort is the port the development banner's `hookrelay listen`
// suggests when no WEBHOOK_URLS entry names a loopback receiver.
const devListenPort = "9000"

// DevBanner is what `hookrelay serve --dev` prints once it listens on addr:
// what development mode changed, then commands ready to paste into other
// shells that show a delivery arrive, verified. When a WEBHOOK_URLS entry
// is on loopback, they are a `listen` on its port with WEBHOOK_SECRET
// (named, never printed) and a `publish`; otherwise a `listen` with a new
// secret, the `webhooks add` that points an endpoint at it with the same
// secret, and a `publish`. The secret it makes up protects nothing until
// those commands use it.
func DevBanner(cfg config.Serve, addr net.Addr) string {
	var b strings.Builder
	fmt.Fprintf(&b, "hookrelay is in development mode (--dev, HOOKRELAY_DEV): not for production.\n")
	if cfg.AllowPrivate {
		fmt.Fprintf(&b, "  endpoints may target loopback and private addresses (HOOKRELAY_ALLOW_PRIVATE_TARGETS=true)\n")
	}
	fmt.Fprintf(&b, "  logs are %s; a failed delivery is retried after %s, doubling up to %s\n",
		cfg.LogFormat, cfg.BackoffBase, cfg.BackoffCeiling())

	server := ""
	if base := baseURL(addr); base != "http://127.0.0.1:8080" {
		server = " --server " + base
	}
	publish := "hookrelay events publish" + server + ` --type dev.ping --data '{"hello":"world"}'`
	token := ""
	if cfg.APIToken != "" {
		token = " (with HOOKRELAY_API_TOKEN set to serve's token)"
	}

	if cfg.SignatureProfile == store.ProfileAckify {
		// listen verifies hookrelay's headers, not Ackify's.
		fmt.Fprintf(&b, "\nHOOKRELAY_SIGNATURE_PROFILE=ackify: `hookrelay listen` cannot verify Ackify's signature; point WEBHOOK_URLS at your Ackify receiver to watch deliveries.\n")
		return b.String()
	}
	if host, port, ok := loopbackTarget(cfg.EndpointURLs); ok {
		listen := "hookrelay listen --port " + port
		if host != "127.0.0.1" && host != "localhost" {
			listen += " --host " + host
		}
		fmt.Fprintf(&b, "\nTo watch a delivery arrive verified, run in another shell, where WEBHOOK_SECRET is the secret serve signs with (%s):\n", mask.Secret(cfg.EndpointSecret))
		fmt.Fprintf(&b, "  %s --secret \"$WEBHOOK_SECRET\"\n", listen)
		fmt.Fprintf(&b, "and in a third one%s:\n  %s\n", token, publish)
		return b.String()
	}

	if !cfg.AllowPrivate {
		fmt.Fprintf(&b, "\nPrivate targets are off (HOOKRELAY_ALLOW_PRIVATE_TARGETS=false): an endpoint created through the API cannot reach a local `hookrelay listen`; give its URL in WEBHOOK_URLS instead.\n")
		return b.String()
	}
	secret := newDevSecret()
	fmt.Fprintf(&b, "\nTo watch a delivery arrive verified, run in another shell:\n")
	fmt.Fprintf(&b, "  hookrelay listen --port %s --secret %s\n", devListenPort, secret)
	fmt.Fprintf(&b, "and in a third one%s:\n", token)
	fmt.Fprintf(&b, "  hookrelay webhooks add%s --url http://127.0.0.1:%s/hooks --secret %s\n", server, devListenPort, secret)
	fmt.Fprintf(&b, "  %s\n", publish)
	return b.String()
}

// loopbackTarget returns the host and port of the first of urls that is an
// http URL on loopback (localhost, 127.0.0.0/8, ::1).
func loopbackTarget(urls []string) (host, port string, ok bool) {
	for _, raw := range urls {
		u, err := url.Parse(strings.TrimSpace(raw))
		if err != nil || u.Scheme != "http" {
			continue
		}
		host = u.Hostname()
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			continue
		}
		if port = u.Port(); port == "" {
			port = "80"
		}
		return host, port, true
	}
	return "", "", false
}

// newDevSecret makes a signing secret for the development banner: whsec_
// and the base64 of 24 random bytes.
func newDevSecret() string {
	key := make([]byte, 24)
	_, _ = rand.Read(key) // never fails: crypto/rand crashes the program instead
	return signature.SecretPrefix + base64.StdEncoding.EncodeToString(key)
}
