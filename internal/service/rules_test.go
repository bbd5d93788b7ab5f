package service

import (
	"errors"
	"fmt"
	"strings"
	"testing"

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

// wantPath checks that the first *FieldError of err names path, and that
// err matches ErrInvalid.
func wantPath(t *testing.T, err error, path string) {
	t.Helper()
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Path() != path || !errors.Is(err, ErrInvalid) {
		t.Errorf("error %v, want a field error for %q matching ErrInvalid", err, path)
	}
}

func TestValidate(t *testing.T) {
	retries := func(n int) *int { return &n }
	cases := []struct {
		path string
		mod  func(*store.Endpoint)
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
		{"rate_limit_per_second", func(e *store.Endpoint) { e.RateLimitPerSecond = -1 }},
		{"rate_limit_per_second", func(e *store.Endpoint) { e.RateLimitPerSecond = store.MaxRateLimitPerSecond + 1 }},
		{"signature_profile", func(e *store.Endpoint) { e.SignatureProfile = "" }},
		{"title", func(e *store.Endpoint) { e.Title = "a\x00b" }},
		{"title", func(e *store.Endpoint) { e.Title = "caf\xe9" }},
		{"description", func(e *store.Endpoint) { e.Description = "a\x00b" }},
		{"url", func(e *store.Endpoint) { e.URL = "https://example.com/caf\xe9" }},
		{"headers.X-A", func(e *store.Endpoint) { e.Headers = map[string]string{"X-A": "caf\xe9"} }},
		{"headers", func(e *store.Endpoint) { e.Headers = map[string]string{"X-\xe9": "v"} }},
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
	s := New(nil, Options{})
	for _, tc := range cases {
		e := valid()
		tc.mod(&e)
		wantPath(t, s.validate(t.Context(), e, true), tc.path)
	}
	if err := s.validate(t.Context(), valid(), true); err != nil {
		t.Errorf("a valid endpoint: %v", err)
	}
}

// TestValidateJoinsEveryField checks that every field at fault has an error
// of its own, in the order of the fields, one per path.
func TestValidateJoinsEveryField(t *testing.T) {
	e := valid()
	e.Title = strings.Repeat("t", 201)
	e.URL = "https://example.com/caf\xe9" // refused as text, not again as a URL
	e.Events = []string{"", "a b", "ok"}
	e.Headers = map[string]string{"X-Signature": "v", "Bad Name": "v"}
	err := New(nil, Options{}).validate(t.Context(), e, true)
	var got []string
	for _, one := range err.(interface{ Unwrap() []error }).Unwrap() {
		var fe *FieldError
		if !errors.As(one, &fe) {
			t.Fatalf("%v is not a *FieldError", one)
		}
		got = append(got, fe.Path())
	}
	want := []string{"url", "title", "events[0]", "events[1]", "headers.Bad Name", "headers.X-Signature"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("fields %v, want %v", got, want)
	}
}

func TestValidateHostCheck(t *testing.T) {
	e := valid()
	e.URL = "http://127.0.0.1:9000/hooks"
	wantPath(t, New(nil, Options{}).validate(t.Context(), e, true), "url")
	if err := New(nil, Options{}).validate(t.Context(), e, false); err != nil {
		t.Errorf("an unchanged loopback URL is refused without a host check: %v", err)
	}
	if err := New(nil, Options{AllowPrivateTargets: true}).validate(t.Context(), e, true); err != nil {
		t.Errorf("a loopback URL is refused with AllowPrivateTargets: %v", err)
	}
}

func TestValidateTargetURL(t *testing.T) {
	for _, ok := range []string{"http://a.example", "https://a.example:8443/p?q=1"} {
		if err := ValidateTargetURL(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a.example", "ftp://a.example", "http://", "http://a.example:0", "http://a.example:65536",
		"http://u:p@a.example", "http://a.example/#f", "http://a.example/\x00", "http://[::1"} {
		if err := ValidateTargetURL(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
	if err := ValidateTargetURL("http://u:secret@[::1"); !errors.Is(err, ErrNotURL) || strings.Contains(err.Error(), "secret") {
		t.Errorf("unparsable URL: %v, want ErrNotURL without the text", err)
	}
}

func TestNewSecret(t *testing.T) {
	for _, profile := range []string{store.ProfileStandard, store.ProfileAckify} {
		generated, err := NewSecret("", profile)
		if err != nil || !strings.HasPrefix(generated, signature.SecretPrefix) {
			t.Errorf("%s: NewSecret(\"\") = %q, %v; want a generated whsec_ secret", profile, generated, err)
		}
		if got, err := NewSecret("a-long-enough-secret", profile); err != nil || got != "a-long-enough-secret" {
			t.Errorf("%s: NewSecret(given) = %q, %v; want it back", profile, got, err)
		}
		for _, bad := range []string{"short", "a-long-enough-secret\x00", "a-long-enough-secret\xff", strings.Repeat("s", 1025)} {
			_, err = NewSecret(bad, profile)
			wantPath(t, err, FieldSecret)
		}
	}
	for _, bad := range []string{"whsec_c2hvcnQ=", "whsec_%%%", "whsec_my-ackify-secret"} {
		_, err := NewSecret(bad, store.ProfileStandard)
		wantPath(t, err, FieldSecret)
	}
	// Ackify keys its HMAC with the secret's raw bytes: a whsec_ prefix is
	// just more characters.
	for _, ackify := range []string{"whsec_my-ackify-secret", "whsec_%%%%%%%%%%%%%%%%"} {
		if got, err := NewSecret(ackify, store.ProfileAckify); err != nil || got != ackify {
			t.Errorf("ackify: NewSecret(%q) = %q, %v; want it back", ackify, got, err)
		}
	}
	_, err := NewSecret("whsec_c2hvcnQ=", store.ProfileAckify)
	wantPath(t, err, FieldSecret) // 14 characters
}

func TestProfile(t *testing.T) {
	if got := New(nil, Options{}).Profile(store.Endpoint{}); got != store.ProfileStandard {
		t.Errorf("no default: profile %q, want standard", got)
	}
	ackify := New(nil, Options{DefaultProfile: store.ProfileAckify})
	if got := ackify.Profile(store.Endpoint{}); got != store.ProfileAckify {
		t.Errorf("a row naming none: profile %q, want the default ackify", got)
	}
	if got := ackify.Profile(store.Endpoint{SignatureProfile: store.ProfileStandard}); got != store.ProfileStandard {
		t.Errorf("a row naming standard: profile %q, want standard", got)
	}
}

func TestValidReason(t *testing.T) {
	if err := validReason("maintenance"); err != nil {
		t.Errorf("a reason: %v", err)
	}
	wantPath(t, validReason("a\x00b"), FieldReason)
	wantPath(t, validReason(strings.Repeat("r", 2001)), FieldReason)
}

func TestCheckConfigTrust(t *testing.T) {
	configured := store.Endpoint{ID: 3, URL: "http://10.0.0.5/hook", CreatedBy: store.ConfigSource}
	same, other := configured.URL, "http://10.0.0.6/hook"
	title := "t"
	if err := checkConfigTrust(configured, store.EndpointPatch{URL: &other}); !errors.Is(err, ErrConfigURL) || !errors.Is(err, store.ErrConflict) {
		t.Errorf("moving a configured endpoint: %v, want ErrConfigURL, a conflict", err)
	}
	for _, p := range []store.EndpointPatch{{URL: &same}, {Title: &title}} {
		if err := checkConfigTrust(configured, p); err != nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
	if err := checkConfigTrust(store.Endpoint{URL: same, CreatedBy: "api"}, store.EndpointPatch{URL: &other}); err != nil {
		t.Errorf("moving an API endpoint: %v", err)
	}
	on := store.EndpointPatch{Activation: &store.Activation{Active: true}}
	removed := configured
	removed.Active, removed.DisabledReason = false, store.RemovedFromConfigReason
	if err := checkConfigTrust(removed, on); !errors.Is(err, ErrConfigRemoved) {
		t.Errorf("enabling an endpoint removed from WEBHOOK_URLS: %v, want ErrConfigRemoved", err)
	}
	health := configured
	health.Active, health.DisabledReason = false, "100 consecutive failed attempts"
	if err := checkConfigTrust(health, on); err != nil {
		t.Errorf("enabling a configured endpoint that its health disabled: %v", err)
	}
}

func TestFieldErrorPath(t *testing.T) {
	for _, c := range []struct {
		fe   FieldError
		want string
	}{
		{FieldError{Field: FieldURL, Message: "is required"}, "url: is required"},
		{FieldError{Field: FieldEvents, Key: "2", Message: "m"}, "events[2]: m"},
		{FieldError{Field: FieldEndpointIDs, Key: "0", Message: "m"}, "endpoint_ids[0]: m"},
		{FieldError{Field: FieldHeaders, Key: "X-A", Message: "m"}, "headers.X-A: m"},
	} {
		if got := c.fe.Error(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.fe, got, c.want)
		}
	}
	if fe := fromStore(&store.FieldError{Field: "events[3]", Message: "m"}).(*FieldError); fe.Field != FieldEvents || fe.Key != "3" {
		t.Errorf("fromStore: %+v, want events with key 3", fe)
	}
}
