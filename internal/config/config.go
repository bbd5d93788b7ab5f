// Package config holds every setting of hookrelay in one struct, read once from
// the environment and flags (the struct tags drive the command-line parser) and
// validated once by Validate. The rest of the program never reads the
// environment.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/encrypted"
	"github.com/hookrelay/hookrelay/signature"
)

// Database holds the setting that chooses the store.
type Database struct {
	DatabaseURL string `name:"database-url" env:"DATABASE_URL" default:"hookrelay.db" help:"postgres://… or a keyword string (host=… user=…) for PostgreSQL; a file path, sqlite:PATH or file:PATH for the embedded SQLite store; other schemes are refused."`
	// EncryptionKey, when set, encrypts endpoint secrets and custom header
	// values at rest.
	EncryptionKey string `name:"encryption-key" env:"HOOKRELAY_ENCRYPTION_KEY" help:"32-byte key (64 hex digits or base64) that encrypts endpoint secrets and custom header values at rest with AES-256-GCM; without it they are stored in clear."`
}

// Log holds the logging settings.
type Log struct {
	LogFormat string `name:"log-format" env:"HOOKRELAY_LOG_FORMAT" default:"json" enum:"json,text" help:"Log format: json or text."`
	LogLevel  string `name:"log-level" env:"HOOKRELAY_LOG_LEVEL" default:"info" enum:"debug,info,warn,error" help:"Lowest level logged: debug, info, warn or error."`
}

// Delivery holds the settings of the delivery workers.
type Delivery struct {
	WebhookURLs      []string      `name:"webhook-urls" env:"WEBHOOK_URLS" sep:"," help:"Comma-separated endpoints that receive every event, synced into the webhooks table at start."`
	WebhookSecret    string        `name:"webhook-secret" env:"WEBHOOK_SECRET" help:"Secret that signs requests to WEBHOOK_URLS (at least 16 characters, or whsec_<base64> of at least 16 bytes; any string, used as raw bytes, under the ackify profile)."`
	SignatureProfile string        `name:"signature-profile" env:"HOOKRELAY_SIGNATURE_PROFILE" default:"standard" enum:"standard,ackify" help:"Signature profile of endpoints that name none (WEBHOOK_URLS, rows Ackify CE created) and of new ones created without one: standard or ackify."`
	TimeoutMS        int           `name:"webhook-timeout-ms" env:"WEBHOOK_TIMEOUT_MS" default:"10000" help:"Whole-request timeout of one delivery attempt, in milliseconds."`
	MaxRetries       int           `name:"webhook-max-retries" env:"WEBHOOK_MAX_RETRIES" default:"6" help:"Retries after the first attempt before a delivery fails."`
	BackoffBase      time.Duration `name:"backoff-base" env:"HOOKRELAY_BACKOFF_BASE" default:"1m" help:"Delay before the first retry; doubles on each retry."`
	BackoffCap       time.Duration `name:"backoff-cap" env:"HOOKRELAY_BACKOFF_CAP" default:"1h" help:"Longest delay between two attempts."`
	RetryAfterCap    time.Duration `name:"retry-after-cap" env:"HOOKRELAY_RETRY_AFTER_CAP" default:"1h" help:"Longest delay a Retry-After answer may ask for."`
	Concurrency      int           `name:"concurrency" env:"HOOKRELAY_CONCURRENCY" default:"64" help:"Requests in flight at once, over all endpoints."`
	EndpointInFlight int           `name:"endpoint-concurrency" env:"HOOKRELAY_ENDPOINT_CONCURRENCY" default:"16" help:"Most requests in flight at once to one endpoint: its adaptive limit starts at 4 and grows up to this while it answers 2xx."`
	BatchSize        int           `name:"batch-size" env:"HOOKRELAY_BATCH_SIZE" default:"100" help:"Deliveries claimed by one query."`
	PollInterval     time.Duration `name:"poll-interval" env:"HOOKRELAY_POLL_INTERVAL" default:"1s" help:"How often idle workers look for due retries when nothing wakes them."`
	Lease            time.Duration `name:"lease" env:"HOOKRELAY_LEASE" help:"How long a claimed delivery stays with its worker before another may take it (default: 3 × timeout + 30s)."`
	ShutdownTimeout  time.Duration `name:"shutdown-timeout" env:"HOOKRELAY_SHUTDOWN_TIMEOUT" default:"30s" help:"How long shutdown waits for requests in flight."`
	DisableAfter     int           `name:"disable-after-failures" env:"HOOKRELAY_DISABLE_AFTER_FAILURES" default:"100" help:"Disable an endpoint after this many consecutive failed attempts (0: never)."`
	DisableAfterFor  time.Duration `name:"disable-after-failing-for" env:"HOOKRELAY_DISABLE_AFTER_FAILING_FOR" default:"72h" help:"Disable an endpoint that has failed without a success for this long (0: never)."`
	AllowPrivate     bool          `name:"allow-private-targets" env:"HOOKRELAY_ALLOW_PRIVATE_TARGETS" help:"Allow API-created endpoints on addresses that are not globally routable: loopback, private, link-local, documentation, this host's own… (development only)."`
	Retention        time.Duration `name:"retention" env:"HOOKRELAY_RETENTION" default:"720h" help:"Finished deliveries older than this are deleted (0: keep forever)."`
}

// Timeout returns the attempt timeout as a duration.
func (d Delivery) Timeout() time.Duration {
	return time.Duration(d.TimeoutMS) * time.Millisecond
}

// LeaseDuration returns the configured lease, or the default derived from the
// timeout: long enough for a request and its wait behind the endpoint's cap.
func (d Delivery) LeaseDuration() time.Duration {
	if d.Lease > 0 {
		return d.Lease
	}
	return 3*d.Timeout() + 30*time.Second
}

// Server holds the settings of the HTTP server.
type Server struct {
	Listen          string `name:"listen" env:"HOOKRELAY_LISTEN" default:"127.0.0.1:8080" help:"Address the HTTP API listens on."`
	APIToken        string `name:"api-token" env:"HOOKRELAY_API_TOKEN" help:"Bearer token required by the API and the dashboard; without it the server only listens on loopback, and beyond loopback it needs at least 32 characters (openssl rand -base64 32)."`
	MaxPayloadBytes int64  `name:"max-payload-bytes" env:"HOOKRELAY_MAX_PAYLOAD_BYTES" default:"262144" help:"Largest accepted request body of the API, in bytes."`
	// RotationWindow is how long a rotated-out secret keeps signing requests.
	RotationWindow time.Duration `name:"secret-rotation-window" env:"HOOKRELAY_SECRET_ROTATION_WINDOW" default:"24h" help:"How long the previous secret still signs requests after a rotation."`
}

// Serve is every setting of `hookrelay serve`.
type Serve struct {
	Database `embed:""`
	Log      `embed:""`
	Delivery `embed:""`
	Server   `embed:""`
	// Dev turns development mode on; ApplyDev applies it.
	Dev bool `name:"dev" env:"HOOKRELAY_DEV" help:"Development mode: endpoints may target loopback and private addresses, logs are text, retries wait 1s doubling up to 30s (each unless set explicitly), and a banner shows how to try a delivery. Not for production."`
}

// Settings that development mode (HOOKRELAY_DEV, --dev) gives those not set
// explicitly, so that a failed delivery is retried while the developer
// watches, in seconds rather than minutes.
const (
	DevLogFormat     = "text"
	DevBackoffBase   = time.Second
	DevBackoffCap    = 30 * time.Second
	DevRetryAfterCap = 30 * time.Second
)

// ApplyDev applies development mode when Dev is set, and does nothing
// otherwise: HOOKRELAY_ALLOW_PRIVATE_TARGETS becomes true, HOOKRELAY_LOG_FORMAT
// DevLogFormat, HOOKRELAY_BACKOFF_BASE DevBackoffBase, HOOKRELAY_BACKOFF_CAP
// DevBackoffCap and HOOKRELAY_RETRY_AFTER_CAP DevRetryAfterCap, each only
// when explicit, called with the setting's environment variable name,
// reports that it was not given (by flag, environment or configuration),
// so that an explicit setting always wins.
func (s *Serve) ApplyDev(explicit func(env string) bool) {
	if !s.Dev {
		return
	}
	if !explicit("HOOKRELAY_ALLOW_PRIVATE_TARGETS") {
		s.AllowPrivate = true
	}
	if !explicit("HOOKRELAY_LOG_FORMAT") {
		s.LogFormat = DevLogFormat
	}
	if !explicit("HOOKRELAY_BACKOFF_BASE") {
		s.BackoffBase = DevBackoffBase
	}
	if !explicit("HOOKRELAY_BACKOFF_CAP") && s.BackoffBase < DevBackoffCap {
		// A base of the user's own at or above the development cap keeps
		// serve's cap, so that the delays still double.
		s.BackoffCap = DevBackoffCap
	}
	if !explicit("HOOKRELAY_RETRY_AFTER_CAP") {
		s.RetryAfterCap = DevRetryAfterCap
	}
}

// Minimum strengths of the credentials hookrelay is given.
const (
	// MinSecretBytes is the shortest HMAC key a signing secret may give,
	// whether from WEBHOOK_SECRET or the API (under the standard profile).
	MinSecretBytes = service.MinSecretBytes
	// MinPublicTokenLength is the shortest HOOKRELAY_API_TOKEN accepted when
	// the server listens beyond loopback: 32 characters, as 24 random bytes
	// in base64 take.
	MinPublicTokenLength = 32
)

// Validate checks every setting and returns one error per problem, each naming
// its setting.
func (s Serve) Validate() error {
	return errors.Join(s.Database.Validate(), s.Delivery.Validate(), s.Server.Validate())
}

// Validate checks the database setting.
func (d Database) Validate() error {
	if strings.TrimSpace(d.DatabaseURL) == "" {
		return errors.New("DATABASE_URL: must not be empty")
	}
	if d.EncryptionKey != "" {
		if _, err := encrypted.ParseKey(d.EncryptionKey); err != nil {
			return fmt.Errorf("HOOKRELAY_ENCRYPTION_KEY: %w", err)
		}
	}
	return nil
}

// Validate checks the delivery settings.
func (d Delivery) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	for i, raw := range d.WebhookURLs {
		raw = strings.TrimSpace(raw)
		if err := service.ValidateTargetURL(raw); err != nil {
			if errors.Is(err, service.ErrNotURL) {
				err = service.ErrNotURL // the parser's detail may quote a password
			}
			add("WEBHOOK_URLS: entry %d %s: %v", i+1, printableTarget(raw), err)
		}
	}
	if len(d.WebhookURLs) > 0 && d.WebhookSecret == "" {
		add("WEBHOOK_SECRET: required when WEBHOOK_URLS is set")
	}
	if err := store.CheckText(d.WebhookSecret); err != nil {
		add("WEBHOOK_SECRET: %v", err)
	}
	switch d.SignatureProfile {
	case store.ProfileAckify:
		// Ackify keys its HMAC with the secret's raw bytes: any string goes.
	case store.ProfileStandard:
		key, err := signature.Key(d.WebhookSecret)
		switch {
		case d.WebhookSecret == "":
		case err != nil:
			add("WEBHOOK_SECRET: %v (an Ackify secret is used as raw bytes only with HOOKRELAY_SIGNATURE_PROFILE=ackify)", err)
		case len(key) < MinSecretBytes:
			add("WEBHOOK_SECRET: too short: a signing secret needs at least %d bytes of key, as the API requires "+
				"(%d characters, or whsec_ and the base64 of %d bytes); make one with: "+
				"echo whsec_$(openssl rand -base64 24); an Ackify CE secret is accepted as it is with HOOKRELAY_SIGNATURE_PROFILE=ackify",
				MinSecretBytes, MinSecretBytes, MinSecretBytes)
		}
	default:
		add("HOOKRELAY_SIGNATURE_PROFILE: must be %q or %q, got %q", store.ProfileStandard, store.ProfileAckify, d.SignatureProfile)
	}
	if d.TimeoutMS <= 0 {
		add("WEBHOOK_TIMEOUT_MS: must be a positive number of milliseconds, got %d", d.TimeoutMS)
	}
	if d.MaxRetries < 0 || d.MaxRetries > store.MaxRetriesLimit {
		add("WEBHOOK_MAX_RETRIES: must be between 0 and %d, got %d", store.MaxRetriesLimit, d.MaxRetries)
	}
	if d.BackoffBase <= 0 {
		add("HOOKRELAY_BACKOFF_BASE: must be positive, got %s", d.BackoffBase)
	}
	if d.BackoffCap < d.BackoffBase {
		add("HOOKRELAY_BACKOFF_CAP: must be at least HOOKRELAY_BACKOFF_BASE (%s), got %s", d.BackoffBase, d.BackoffCap)
	}
	if d.RetryAfterCap < 0 {
		add("HOOKRELAY_RETRY_AFTER_CAP: must not be negative, got %s", d.RetryAfterCap)
	}
	if d.Concurrency <= 0 {
		add("HOOKRELAY_CONCURRENCY: must be positive, got %d", d.Concurrency)
	}
	if d.EndpointInFlight <= 0 {
		add("HOOKRELAY_ENDPOINT_CONCURRENCY: must be positive, got %d", d.EndpointInFlight)
	}
	if d.BatchSize <= 0 {
		add("HOOKRELAY_BATCH_SIZE: must be positive, got %d", d.BatchSize)
	}
	if d.PollInterval <= 0 {
		add("HOOKRELAY_POLL_INTERVAL: must be positive, got %s", d.PollInterval)
	}
	if d.Lease < 0 {
		add("HOOKRELAY_LEASE: must not be negative, got %s", d.Lease)
	} else if d.Lease > 0 && d.Lease <= d.Timeout() {
		add("HOOKRELAY_LEASE: must be longer than WEBHOOK_TIMEOUT_MS (%s), got %s", d.Timeout(), d.Lease)
	}
	if d.ShutdownTimeout < 0 {
		add("HOOKRELAY_SHUTDOWN_TIMEOUT: must not be negative, got %s", d.ShutdownTimeout)
	}
	if d.DisableAfter < 0 {
		add("HOOKRELAY_DISABLE_AFTER_FAILURES: must be 0 or more, got %d", d.DisableAfter)
	}
	if d.DisableAfterFor < 0 {
		add("HOOKRELAY_DISABLE_AFTER_FAILING_FOR: must not be negative, got %s", d.DisableAfterFor)
	}
	if d.Retention < 0 {
		add("HOOKRELAY_RETENTION: must not be negative, got %s", d.Retention)
	}
	return errors.Join(errs...)
}

// Validate checks the server settings.
func (s Server) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(s.Listen); err != nil {
		errs = append(errs, fmt.Errorf("HOOKRELAY_LISTEN: %q is not host:port: %v", s.Listen, err))
	} else if s.APIToken == "" && !IsLoopbackListen(s.Listen) {
		errs = append(errs, fmt.Errorf("HOOKRELAY_LISTEN: %q is not a loopback address; set HOOKRELAY_API_TOKEN to serve the API beyond this machine", s.Listen))
	} else if !IsLoopbackListen(s.Listen) && len(s.APIToken) < MinPublicTokenLength {
		errs = append(errs, fmt.Errorf("HOOKRELAY_API_TOKEN: too short to serve beyond loopback (HOOKRELAY_LISTEN %q): "+
			"use at least %d random characters, for example: openssl rand -base64 32", s.Listen, MinPublicTokenLength))
	}
	if s.MaxPayloadBytes <= 0 {
		errs = append(errs, fmt.Errorf("HOOKRELAY_MAX_PAYLOAD_BYTES: must be positive, got %d", s.MaxPayloadBytes))
	}
	if s.RotationWindow < 0 {
		errs = append(errs, fmt.Errorf("HOOKRELAY_SECRET_ROTATION_WINDOW: must not be negative, got %s", s.RotationWindow))
	}
	return errors.Join(errs...)
}

// IsLoopbackListen reports whether a host:port listen address binds loopback only.
func IsLoopbackListen(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// printableTarget is how an invalid WEBHOOK_URLS entry is shown: quoted,
// with any credentials replaced by "xxxxx", when it parses as a URL with a
// host; otherwise not at all, since there is no telling which part of it is
// a password (a "/" or "#" in one, a missing "//", a comma that split the
// entry).
func printableTarget(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(not shown: it does not parse as a URL with a host, and may hold a password)"
	}
	if u.User != nil {
		u.User = url.User("xxxxx")
	}
	return fmt.Sprintf("%q", u.String())
}
