package storetest

import (
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
)

var configSyncTests = []test{
	{"SyncConfigEndpointsAddsUpdatesAndDeactivates", func(t *testing.T, f *fixture) {
		other := f.endpoint(func(e *store.Endpoint) { e.URL = "https://a.example/hook" })
		f.sync([]string{"https://a.example/hook", "https://b.example:8443/hook"}, "secret-one")
		byURL := f.configEndpoints()
		if len(byURL) != 2 {
			t.Fatalf("config endpoints %v, want 2", byURL)
		}
		a := byURL["https://a.example/hook"]
		if !a.Active || a.Secret != "secret-one" || a.Title != "a.example" || len(a.Events) != 0 {
			t.Errorf("added endpoint %+v: want active, secret-one, titled a.example, all events", a)
		}
		if a.SignatureProfile != "" {
			t.Errorf("config endpoint names the profile %q, want none: it follows HOOKRELAY_SIGNATURE_PROFILE", a.SignatureProfile)
		}
		if b := byURL["https://b.example:8443/hook"]; b.Title != "b.example:8443" {
			t.Errorf("title %q, want the URL's host b.example:8443", b.Title)
		}

		f.sync([]string{"https://b.example:8443/hook", "https://c.example/hook"}, "secret-two")
		byURL = f.configEndpoints()
		gone := byURL["https://a.example/hook"]
		if gone.Active || gone.DisabledReason != "removed from WEBHOOK_URLS" || gone.DisabledAt == nil {
			t.Errorf("removed URL: %+v; want inactive, reason \"removed from WEBHOOK_URLS\", DisabledAt", gone)
		}
		if gone.ID != a.ID {
			t.Errorf("removed URL has ID %d, want %d: endpoints must be kept", gone.ID, a.ID)
		}
		if b := byURL["https://b.example:8443/hook"]; !b.Active || b.Secret != "secret-two" || b.SignatureProfile != "" {
			t.Errorf("kept URL: %+v; want active with the new secret, naming no profile", b)
		}
		if c := byURL["https://c.example/hook"]; !c.Active || c.Secret != "secret-two" {
			t.Errorf("new URL: %+v; want active with the secret", c)
		}

		f.sync([]string{"https://a.example/hook"}, "secret-three")
		byURL = f.configEndpoints()
		back := byURL["https://a.example/hook"]
		if !back.Active || back.DisabledReason != "" || back.DisabledAt != nil || back.Secret != "secret-three" || back.ID != a.ID {
			t.Errorf("re-added URL: %+v; want the same endpoint active again, reason cleared", back)
		}
		if byURL["https://b.example:8443/hook"].Active || byURL["https://c.example/hook"].Active {
			t.Error("URLs left out of WEBHOOK_URLS are still active")
		}
		sameEndpoint(t, f.getEndpoint(other.ID), other)
	}},
	{"SyncConfigEndpointsResetsHealthOnReactivation", func(t *testing.T, f *fixture) {
		f.sync([]string{"https://a.example/hook"}, "secret")
		ep := f.configEndpoints()["https://a.example/hook"]
		for range 3 {
			f.publish("document.created")
		}
		f.failDue(store.HealthPolicy{DisableAfterFailures: 3})
		if got := f.getEndpoint(ep.ID); got.Active || got.FailureCount != 3 || got.FailingSince == nil {
			t.Fatalf("endpoint %+v: want disabled by its health after 3 failures", got)
		}
		f.sync([]string{"https://a.example/hook"}, "secret")
		got := f.getEndpoint(ep.ID)
		if !got.Active || got.FailureCount != 0 || got.FailingSince != nil || got.DisabledAt != nil {
			t.Errorf("re-activated endpoint %+v: want active with failure count and failing_since cleared", got)
		}
	}},
}

// sync calls SyncConfigEndpoints.
func (f *fixture) sync(urls []string, secret string) {
	f.t.Helper()
	if err := f.s.SyncConfigEndpoints(f.ctx, urls, secret); err != nil {
		f.t.Fatalf("sync %v: %v", urls, err)
	}
}

// configEndpoints returns the endpoints created from configuration by URL.
func (f *fixture) configEndpoints() map[string]store.Endpoint {
	f.t.Helper()
	all, err := f.s.ListEndpoints(f.ctx, store.EndpointFilter{})
	if err != nil {
		f.t.Fatalf("list endpoints: %v", err)
	}
	out := map[string]store.Endpoint{}
	for _, e := range all {
		if e.CreatedBy == store.ConfigSource {
			if _, dup := out[e.URL]; dup {
				f.t.Errorf("two config endpoints for %s", e.URL)
			}
			out[e.URL] = e
		}
	}
	return out
}
