package e2e

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestVerificationThroughListen runs `serve` with
// HOOKRELAY_REQUIRE_VERIFICATION and a `listen --secret` receiver: an
// endpoint added for the receiver is challenged, listen answers, the
// endpoint turns verified, and the event published next reaches the
// receiver.
func TestVerificationThroughListen(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	db := "DATABASE_URL=" + t.TempDir() + "/hookrelay.db"
	listen := startConsole(t, nil, "listen", "--port", "0", "--secret", secret)
	receiver := listen.waitFor(t, "listen to start", listeningOn)[1]
	serve := startConsole(t, []string{db, "HOOKRELAY_LISTEN=127.0.0.1:0", "HOOKRELAY_LOG_FORMAT=text",
		"HOOKRELAY_REQUIRE_VERIFICATION=true", "HOOKRELAY_ALLOW_PRIVATE_TARGETS=true"}, "serve")
	server := "http://" + serve.waitFor(t, "serve to start", startedOn)[1]

	stdout, stderr, code := run(t, nil, "webhooks", "add", "--server", server, "--url", "http://"+receiver+"/hooks",
		"--secret", secret, "--json")
	var ep struct {
		ID           int64 `json:"id"`
		Verification struct {
			State string `json:"state"`
		} `json:"verification"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &ep) != nil || ep.Verification.State != "unverified" {
		t.Fatalf("webhooks add: exit %d, %q %q; want an unverified endpoint", code, stdout, stderr)
	}
	listen.waitFor(t, "listen to answer the challenge", regexp.MustCompile(`answered\s+the verification challenge`))
	waitUntil(t, 30*time.Second, "the endpoint to be verified", func() bool {
		out, _, _ := run(t, nil, "webhooks", "get", "--server", server, strconv.FormatInt(ep.ID, 10))
		return strings.Contains(out, "Verification:") && !strings.Contains(out, "unverified")
	})
	if _, stderr, code := run(t, nil, "events", "publish", "--server", server, "--type", "document.created",
		"--data", `{"doc_id":"after-verification"}`); code != 0 {
		t.Fatalf("publish: exit %d, %s", code, stderr)
	}
	listen.waitFor(t, "the event after verification", regexp.MustCompile(`after-verification`))
}
