package config

import (
	"strings"
	"testing"
	"time"
)

func validServe() Serve {
	return Serve{
		Database: Database{DatabaseURL: "hookrelay.db"},
		Log:      Log{LogFormat: "json", LogLevel: "info"},
		Delivery: Delivery{
			TimeoutMS: 10000, Retries: Retries{MaxRetries: 6}, BackoffBase: time.Minute, BackoffCap: time.Hour, RetryAfterCap: time.Hour,
			Concurrency: 64, EndpointInFlight: 16, BatchSize: 100, PollInterval: time.Second,
			ShutdownTimeout: 30 * time.Second, DisableAfter: 100, DisableAfterFor: 72 * time.Hour, Retention: 720 * time.Hour,
			SignatureProfile: "standard",
		},
		Server: Server{Listen: "127.0.0.1:8080", MaxPayloadBytes: 256 << 10, RotationWindow: 24 * time.Hour},
	}
}

func TestValidateAcceptsDefaults(t *testing.T) {
	if err := validServe().Validate(); err != nil {
		t.Fatalf("defaults rejected: %v", err)
	}
}

func TestValidateNamesEverySetting(t *testing.T) {
	tests := []struct {
		mutate func(*Serve)
		want   string
	}{
		{func(s *Serve) { s.DatabaseURL = " " }, "DATABASE_URL"},
		{func(s *Serve) { s.EncryptionKey = "too-short" }, "HOOKRELAY_ENCRYPTION_KEY"},
		{func(s *Serve) { s.EndpointURLs = []string{"not a url"}; s.EndpointSecret = "x" }, "WEBHOOK_URLS"},
		{func(s *Serve) { s.EndpointURLs = []string{"https://user:pw@example.com"}; s.EndpointSecret = "x" }, "credentials"},
		{func(s *Serve) { s.EndpointURLs = []string{"https://example.com"} }, "WEBHOOK_SECRET"},
		{func(s *Serve) { s.EndpointURLs = []string{"http://203.0.113.10:65536/"} }, "port must be between 1 and 65535"},
		{func(s *Serve) { s.EndpointURLs = []string{"http://example.com:0/"} }, "port must be between 1 and 65535"},
		{func(s *Serve) { s.EndpointSecret = "whsec_my-ackify-secret" }, "HOOKRELAY_SIGNATURE_PROFILE=ackify"},
		{func(s *Serve) { s.SignatureProfile = "" }, "HOOKRELAY_SIGNATURE_PROFILE"},
		{func(s *Serve) { s.EndpointURLs = []string{"https://example.com/\x00"}; s.EndpointSecret = "x" }, "WEBHOOK_URLS"},
		{func(s *Serve) { s.EndpointURLs = []string{"https://example.com/caf\xe9"}; s.EndpointSecret = "x" }, "not valid UTF-8"},
		{func(s *Serve) { s.EndpointURLs = []string{"https://example.com"}; s.EndpointSecret = "a\x00b" }, "WEBHOOK_SECRET"},
		{func(s *Serve) { s.TimeoutMS = 0 }, "WEBHOOK_TIMEOUT_MS"},
		{func(s *Serve) { s.MaxRetries = -1 }, "WEBHOOK_MAX_RETRIES"},
		{func(s *Serve) { s.MaxRetries = 36 }, "WEBHOOK_MAX_RETRIES: must be at most 35"},
		{func(s *Serve) { s.BackoffBase = 0 }, "HOOKRELAY_BACKOFF_BASE"},
		{func(s *Serve) { s.BackoffCap = time.Second }, "HOOKRELAY_BACKOFF_CAP"},
		{func(s *Serve) { s.RetryAfterCap = -time.Second }, "HOOKRELAY_RETRY_AFTER_CAP"},
		{func(s *Serve) { s.Concurrency = 0 }, "HOOKRELAY_CONCURRENCY"},
		{func(s *Serve) { s.EndpointInFlight = 0 }, "HOOKRELAY_ENDPOINT_CONCURRENCY"},
		{func(s *Serve) { s.BatchSize = 0 }, "HOOKRELAY_BATCH_SIZE"},
		{func(s *Serve) { s.PollInterval = 0 }, "HOOKRELAY_POLL_INTERVAL"},
		{func(s *Serve) { s.Lease = 5 * time.Second }, "HOOKRELAY_LEASE"},
		{func(s *Serve) { s.ShutdownTimeout = -1 }, "HOOKRELAY_SHUTDOWN_TIMEOUT"},
		{func(s *Serve) { s.DisableAfter = -1 }, "HOOKRELAY_DISABLE_AFTER_FAILURES"},
		{func(s *Serve) { s.DisableAfterFor = -1 }, "HOOKRELAY_DISABLE_AFTER_FAILING_FOR"},
		{func(s *Serve) { s.Retention = -1 }, "HOOKRELAY_RETENTION"},
		{func(s *Serve) { s.Listen = "8080" }, "HOOKRELAY_LISTEN"},
		{func(s *Serve) { s.Listen = "0.0.0.0:8080" }, "HOOKRELAY_API_TOKEN"},
		{func(s *Serve) { s.Listen, s.APIToken = "0.0.0.0:8080", "x" }, "openssl rand -base64 32"},
		{func(s *Serve) { s.Listen, s.APIToken = ":8080", strings.Repeat("t", 31) }, "HOOKRELAY_API_TOKEN: too short"},
		{func(s *Serve) { s.EndpointURLs, s.EndpointSecret = []string{"https://example.com"}, "nine-char" }, "WEBHOOK_SECRET: too short"},
		{func(s *Serve) { s.EndpointSecret = "whsec_c2hvcnQta2V5" }, "at least 16 bytes"},
		{func(s *Serve) { s.MaxPayloadBytes = 0 }, "HOOKRELAY_MAX_PAYLOAD_BYTES"},
		{func(s *Serve) { s.RotationWindow = -1 }, "HOOKRELAY_SECRET_ROTATION_WINDOW"},
	}
	for _, tt := range tests {
		s := validServe()
		tt.mutate(&s)
		err := s.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("want an error naming %s, got %v", tt.want, err)
		}
	}
}

func TestPublicListenWithTokenIsAllowed(t *testing.T) {
	s := validServe()
	s.Listen, s.APIToken = "0.0.0.0:8080", "a-long-random-token-of-32-chars!"
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestIsLoopbackListen(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "localhost:1": true, "[::1]:80": true, "127.5.5.5:9": true,
		"0.0.0.0:8080": false, ":8080": false, "10.0.0.1:80": false, "example.com:80": false, "bad": false,
	} {
		if got := IsLoopbackListen(addr); got != want {
			t.Errorf("IsLoopbackListen(%q) = %v, want %v", addr, got, want)
		}
	}
}

func TestAckifyProfileTakesAnyWebhookSecret(t *testing.T) {
	s := validServe()
	s.SignatureProfile = "ackify"
	s.EndpointURLs, s.EndpointSecret = []string{"https://example.com/hook"}, "whsec_my-ackify-secret"
	if err := s.Validate(); err != nil {
		t.Errorf("an Ackify secret under the ackify profile rejected: %v", err)
	}
}

// TestURLCredentialsAreNeverPrinted: a WEBHOOK_URLS entry with credentials is
// refused without its password in the error, whether it parses or not.
func TestURLCredentialsAreNeverPrinted(t *testing.T) {
	for _, raw := range []string{
		"http://user:s3cret-pass@example.com/hook",
		"http://user:s3cret-pass@exa mple.com/hook",
		"http://user:s3cret-pass@example.com:99999/hook",
		"http://user:s3cret-pass@[::1/hook",
		"https://:s3cret-pass@example.com",
		"http://alice:s3cret/Passw0rd@127.0.0.1:19000/a",
		"http://alice:s3cret#Passw0rd@127.0.0.1:19000/a",
		"http://alice:s3cret?Passw0rd@127.0.0.1:19000/a",
		"http://alice:s3cret", // a password with a comma, split by the list
		"alice:s3cretPassw0rd@127.0.0.1:19000/a",
		"http:alice:s3cretPassw0rd@127.0.0.1/a",
	} {
		s := validServe()
		s.EndpointURLs, s.EndpointSecret = []string{raw}, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
		err := s.Validate()
		if err == nil || !strings.Contains(err.Error(), "WEBHOOK_URLS") {
			t.Errorf("%s: %v, want a WEBHOOK_URLS error", raw, err)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: the error prints the password: %v", raw, err)
		}
	}
	if got := printableTarget("http://user:pw@example.com/x"); got != `"http://xxxxx@example.com/x"` {
		t.Errorf("printableTarget = %s", got)
	}
}

// TestMinimumStrengths: a long token beyond loopback and any token on
// loopback are fine; a 16-character WEBHOOK_SECRET is, as the API's minimum.
func TestMinimumStrengths(t *testing.T) {
	s := validServe()
	s.Listen, s.APIToken = "127.0.0.1:8080", "x"
	if err := s.Validate(); err != nil {
		t.Errorf("a short token on loopback: %v", err)
	}
	s.Listen, s.APIToken = "[::]:8080", strings.Repeat("t", MinPublicTokenLength)
	if err := s.Validate(); err != nil {
		t.Errorf("a 32-character token beyond loopback: %v", err)
	}
	s.EndpointURLs, s.EndpointSecret = []string{"https://example.com"}, "sixteen-chars-ok"
	if err := s.Validate(); err != nil {
		t.Errorf("a 16-character WEBHOOK_SECRET: %v", err)
	}
	s.SignatureProfile, s.EndpointSecret = "ackify", "short"
	if err := s.Validate(); err != nil {
		t.Errorf("an Ackify secret under the ackify profile: %v", err)
	}
}
