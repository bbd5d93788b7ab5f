package endpointrules_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/endpointrules"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/signature"
)

// valid is an endpoint that passes every rule.
func valid() store.Endpoint {
	return store.Endpoint{
		URL: "https://93.184.215.14/hooks", Events: []string{"document.*", "*", "signature.created"},
		Headers: map[string]string{"X-Tenant": "acme"}, SignatureProfile: store.ProfileStandard,
	}
}

// wantField checks that err is a *store.FieldError for field.
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	var fe *store.FieldError
	if !errors.As(err, &fe) || fe.Field != field {
		t.Errorf("error %v, want a field error for %q", err, field)
	}
}

func TestValidate(t *testing.T) {
	retries := func(n int) *int { return &n }
	cases := []struct {
		field string
		mod   func(*store.Endpoint)
	}{
		{"title", func(e *store.Endpoint) { e.Title = strings.Repeat("t", 201) }},
		{"url", func(e *store.Endpoint) { e.URL = "" }},
		{"url", func(e *store.Endpoint) { e.URL = "ftp://example.com" }},
		{"url", func(e *store.Endpoint) { e.URL = "https://127.0.0.1/hooks" }},
		{"events[1]", func(e *store.Endpoint) { e.Events = []string{"a", ""} }},
		{"events[0]", func(e *store.Endpoint) { e.Events = []string{"a b"} }},
		{"headers.Bad Name", func(e *store.Endpoint) { e.Headers = map[string]string{"Bad Name": "v"} }},
		{"headers.X-Signature", func(e *store.Endpoint) { e.Headers = map[string]string{"X-Signature": "v"} }},
		{"headers.X-A", func(e *store.Endpoint) { e.Headers = map[string]string{"X-A": "a\r\nb"} }},
		{"headers.X-A", func(e *store.Endpoint) { e.Headers = map[string]string{"X-A": strings.Repeat("v", 1025)} }},
		{"description", func(e *store.Endpoint) { e.Description = strings.Repeat("d", 2001) }},
		{"max_retries", func(e *store.Endpoint) { e.MaxRetries = retries(36) }},
		{"max_retries", func(e *store.Endpoint) { e.MaxRetries = retries(-1) }},
		{"signature_profile", func(e *store.Endpoint) { e.SignatureProfile = "" }},
		{"title", func(e *store.Endpoint) { e.Title = "a\x00b" }},
		{"title", func(e *store.Endpoint) { e.Title = "caf\xe9" }},
		{"description", func(e *store.Endpoint) { e.Description = "a\x00b" }},
		{"url", func(e *store.Endpoint) { e.URL = "https://example.com/caf\xe9" }},
		{"headers.X-A", func(e *store.Endpoint) { e.Headers = map[string]string{"X-A": "caf\xe9"} }},
		{"reason", func(e *store.Endpoint) { e.DisabledReason = "a\x00b" }},
		{"url", func(e *store.Endpoint) { e.URL = "https://example.com/" + strings.Repeat("p", 2048) }},
		{"events", func(e *store.Endpoint) {
			e.Events = nil
			for i := range 101 {
				e.Events = append(e.Events, fmt.Sprintf("type.n%d", i))
			}
		}},
		{"headers.Transfer-Encoding", func(e *store.Endpoint) { e.Headers = map[string]string{"Transfer-Encoding": "chunked"} }},
		{"headers.connection", func(e *store.Endpoint) { e.Headers = map[string]string{"connection": "close"} }},
		{"headers.x-a", func(e *store.Endpoint) { e.Headers = map[string]string{"x-a": "1", "X-A": "2"} }},
	}
	for _, tc := range cases {
		e := valid()
		tc.mod(&e)
		wantField(t, endpointrules.Checker{}.Validate(t.Context(), e, true), tc.field)
	}
	if err := (endpointrules.Checker{}).Validate(t.Context(), valid(), true); err != nil {
		t.Errorf("a valid endpoint: %v", err)
	}
}

func TestValidateHostCheck(t *testing.T) {
	e := valid()
	e.URL = "http://127.0.0.1:9000/hooks"
	wantField(t, endpointrules.Checker{}.Validate(t.Context(), e, true), "url")
	if err := (endpointrules.Checker{}).Validate(t.Context(), e, false); err != nil {
		t.Errorf("an unchanged loopback URL is refused without a host check: %v", err)
	}
	if err := (endpointrules.Checker{AllowPrivate: true}).Validate(t.Context(), e, true); err != nil {
		t.Errorf("a loopback URL is refused with AllowPrivate: %v", err)
	}
}

func TestNewSecret(t *testing.T) {
	for _, profile := range []string{store.ProfileStandard, store.ProfileAckify} {
		generated, err := endpointrules.NewSecret("", profile)
		if err != nil || !strings.HasPrefix(generated, signature.SecretPrefix) {
			t.Errorf("%s: NewSecret(\"\") = %q, %v; want a generated whsec_ secret", profile, generated, err)
		}
		if got, err := endpointrules.NewSecret("a-long-enough-secret", profile); err != nil || got != "a-long-enough-secret" {
			t.Errorf("%s: NewSecret(given) = %q, %v; want it back", profile, got, err)
		}
		for _, bad := range []string{"short", "a-long-enough-secret\x00", "a-long-enough-secret\xff", strings.Repeat("s", 1025)} {
			_, err = endpointrules.NewSecret(bad, profile)
			wantField(t, err, "secret")
		}
	}
	for _, bad := range []string{"whsec_c2hvcnQ=", "whsec_%%%", "whsec_my-ackify-secret"} {
		_, err := endpointrules.NewSecret(bad, store.ProfileStandard)
		wantField(t, err, "secret")
	}
	// Ackify keys its HMAC with the secret's raw bytes: a whsec_ prefix is
	// just more characters.
	for _, ackify := range []string{"whsec_my-ackify-secret", "whsec_%%%%%%%%%%%%%%%%"} {
		if got, err := endpointrules.NewSecret(ackify, store.ProfileAckify); err != nil || got != ackify {
			t.Errorf("ackify: NewSecret(%q) = %q, %v; want it back", ackify, got, err)
		}
	}
	_, err := endpointrules.NewSecret("whsec_c2hvcnQ=", store.ProfileAckify)
	wantField(t, err, "secret") // 14 characters
}

func TestProfile(t *testing.T) {
	if got := (endpointrules.Checker{}).Profile(store.Endpoint{}); got != store.ProfileStandard {
		t.Errorf("no default: profile %q, want standard", got)
	}
	ackify := endpointrules.Checker{DefaultProfile: store.ProfileAckify}
	if got := ackify.Profile(store.Endpoint{}); got != store.ProfileAckify {
		t.Errorf("a row naming none: profile %q, want the default ackify", got)
	}
	if got := ackify.Profile(store.Endpoint{SignatureProfile: store.ProfileStandard}); got != store.ProfileStandard {
		t.Errorf("a row naming standard: profile %q, want standard", got)
	}
}

func TestNewActivation(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600))
	off, err := endpointrules.NewActivation(false, "maintenance", now)
	if err != nil {
		t.Fatal(err)
	}
	e := store.EndpointPatch{Activation: &off}.Apply(store.Endpoint{Active: true, FailureCount: 3})
	if e.Active || e.DisabledReason != "maintenance" || e.DisabledAt == nil || !e.DisabledAt.Equal(now) ||
		e.DisabledAt.Location() != time.UTC || e.FailureCount != 3 {
		t.Errorf("disabled endpoint %+v, want inactive with the reason, the time in UTC and its failures", e)
	}
	_, err = endpointrules.NewActivation(false, "a\x00b", now)
	wantField(t, err, "reason")
	on, err := endpointrules.NewActivation(true, "", now)
	if err != nil {
		t.Fatal(err)
	}
	if e := (store.EndpointPatch{Activation: &on}).Apply(e); !e.Active || e.DisabledReason != "" || e.DisabledAt != nil || e.FailureCount != 0 {
		t.Errorf("enabled endpoint %+v, want active with a clean health record", e)
	}
	_, err = endpointrules.NewActivation(false, strings.Repeat("r", 2001), now)
	wantField(t, err, "reason")
}

func TestCheckConfigTrust(t *testing.T) {
	configured := store.Endpoint{URL: "http://10.0.0.5/hook", CreatedBy: store.ConfigSource}
	same, other := configured.URL, "http://10.0.0.6/hook"
	title := "t"
	if err := endpointrules.CheckConfigTrust(configured, store.EndpointPatch{URL: &other}); !errors.Is(err, endpointrules.ErrConfigURL) {
		t.Errorf("moving a configured endpoint: %v, want ErrConfigURL", err)
	}
	for _, p := range []store.EndpointPatch{{URL: &same}, {Title: &title}} {
		if err := endpointrules.CheckConfigTrust(configured, p); err != nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
	if err := endpointrules.CheckConfigTrust(store.Endpoint{URL: same, CreatedBy: "api"}, store.EndpointPatch{URL: &other}); err != nil {
		t.Errorf("moving an API endpoint: %v", err)
	}
	on := store.EndpointPatch{Activation: &store.Activation{Active: true}}
	removed := configured
	removed.Active, removed.DisabledReason = false, store.RemovedFromConfigReason
	if err := endpointrules.CheckConfigTrust(removed, on); !errors.Is(err, endpointrules.ErrConfigRemoved) {
		t.Errorf("enabling an endpoint removed from WEBHOOK_URLS: %v, want ErrConfigRemoved", err)
	}
	health := configured
	health.Active, health.DisabledReason = false, "100 consecutive failed attempts"
	if err := endpointrules.CheckConfigTrust(health, on); err != nil {
		t.Errorf("enabling a configured endpoint that its health disabled: %v", err)
	}
}
