package storetest

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

var endpointTests = []test{
	{"EndpointCreateStoresEveryField", func(t *testing.T, f *fixture) {
		want := fullEndpoint()
		created := f.endpoint(func(e *store.Endpoint) { *e = want })
		if created.ID == 0 {
			t.Fatal("created endpoint has no ID")
		}
		f.recent("CreatedAt", created.CreatedAt)
		f.recent("UpdatedAt", created.UpdatedAt)
		sameEndpoint(t, created, want)
		sameEndpoint(t, f.getEndpoint(created.ID), want)
	}},
	{"EndpointNilListsReadBackEmpty", func(t *testing.T, f *fixture) {
		created := f.endpoint(func(e *store.Endpoint) { e.Events, e.Headers, e.SignatureProfile = nil, nil, "" })
		got := f.getEndpoint(created.ID)
		if len(got.Events) != 0 || len(got.Headers) != 0 {
			t.Errorf("events %v, headers %v; want none", got.Events, got.Headers)
		}
		if got.SignatureProfile != store.ProfileStandard {
			t.Errorf("signature profile %q, want the default %q", got.SignatureProfile, store.ProfileStandard)
		}
	}},
	{"EndpointUpdateWritesOnlyWhatItSets", func(t *testing.T, f *fixture) {
		created := f.endpoint(func(e *store.Endpoint) { *e = fullEndpoint() })
		title, url, description, profile, retries := "Renamed", "https://renamed.example/hook", "", store.ProfileStandard, 0
		events, headers := []string{"invoice.paid"}, map[string]string{"X-New": "1"}
		edits := []store.EndpointPatch{
			{},
			{Title: &title},
			{URL: &url, Description: &description},
			{Events: &events, Headers: &headers, MaxRetries: &retries, SignatureProfile: &profile},
		}
		want := created
		for i, p := range edits {
			want = p.Apply(want)
			updated := f.updateEndpoint(created.ID, p)
			sameEndpoint(t, updated, want)
			sameEndpoint(t, f.getEndpoint(created.ID), want)
			sameInstant(t, "CreatedAt", updated.CreatedAt, created.CreatedAt)
			if updated.UpdatedAt.Before(created.UpdatedAt) {
				t.Errorf("edit %d: UpdatedAt went back from %v to %v", i, created.UpdatedAt, updated.UpdatedAt)
			}
		}
		none, blank := []string{}, ""
		got := f.updateEndpoint(created.ID, store.EndpointPatch{Events: &none, SignatureProfile: &blank})
		if len(got.Events) != 0 || got.SignatureProfile != store.ProfileStandard {
			t.Errorf("events %v, profile %q; want none and the default profile", got.Events, got.SignatureProfile)
		}
	}},
	{"EndpointUpdateKeepsTheHealthRecord", func(t *testing.T, f *fixture) {
		ep := f.endpoint()
		for range 2 {
			f.publish("document.created")
		}
		f.failDue(store.HealthPolicy{DisableAfterFailures: 2})
		disabled := f.getEndpoint(ep.ID)
		if disabled.Active || disabled.FailureCount != 2 || disabled.FailingSince == nil || disabled.DisabledAt == nil {
			t.Fatalf("endpoint %+v: want disabled by its health after 2 failures", disabled)
		}
		title, url := "renamed", "https://renamed.example/hook"
		p := store.EndpointPatch{Title: &title, URL: &url,
			Rotation: &store.SecretRotation{Secret: "secret-rotated-0123456789", PreviousExpiresAt: wholeSecond(time.Hour)}}
		f.updateEndpoint(ep.ID, p)
		sameEndpoint(t, f.getEndpoint(ep.ID), p.Apply(disabled))
	}},
	{"EndpointUpdateRotatesTheStoredSecret", func(t *testing.T, f *fixture) {
		ep := f.endpoint(func(e *store.Endpoint) { e.Secret = "secret-first-0123456789" })
		for _, next := range []string{"secret-second-0123456789", "secret-third-0123456789"} {
			before := f.getEndpoint(ep.ID)
			expires := wholeSecond(time.Hour)
			p := store.EndpointPatch{Rotation: &store.SecretRotation{Secret: next, PreviousExpiresAt: expires}}
			got := f.updateEndpoint(ep.ID, p)
			if got.Secret != next || got.PreviousSecret != before.Secret {
				t.Errorf("secrets %q / %q, want %q / %q", got.Secret, got.PreviousSecret, next, before.Secret)
			}
			sameEndpoint(t, f.getEndpoint(ep.ID), p.Apply(before))
		}
	}},
	{"EndpointUpdateActivation", func(t *testing.T, f *fixture) {
		ep := f.endpoint(func(e *store.Endpoint) { *e = fullEndpoint() })
		on := store.EndpointPatch{Activation: &store.Activation{Active: true}}
		enabled := f.updateEndpoint(ep.ID, on)
		sameEndpoint(t, enabled, on.Apply(ep))
		if !enabled.Active || enabled.FailureCount != 0 || enabled.FailingSince != nil || enabled.DisabledAt != nil ||
			enabled.DisabledReason != "" || enabled.LastDeliveredAt == nil {
			t.Errorf("enabled %+v: want active, a clean health record and its last delivery kept", enabled)
		}
		off := store.EndpointPatch{Activation: &store.Activation{Reason: "maintenance", At: wholeSecond(-time.Minute)}}
		sameEndpoint(t, f.updateEndpoint(ep.ID, off), off.Apply(enabled))
	}},
	{"EndpointMissing", func(t *testing.T, f *fixture) {
		_, err := f.s.GetEndpoint(f.ctx, 404)
		wantErr(t, "get", err, store.ErrNotFound)
		title := "renamed"
		_, err = f.s.UpdateEndpoint(f.ctx, 404, store.EndpointPatch{Title: &title})
		wantErr(t, "update", err, store.ErrNotFound)
		wantErr(t, "delete", f.s.DeleteEndpoint(f.ctx, 404), store.ErrNotFound)
	}},
	{"EndpointDeleteCascades", func(t *testing.T, f *fixture) {
		ep := f.endpoint()
		kept := f.endpoint()
		f.publish("document.created")
		if err := f.s.DeleteEndpoint(f.ctx, ep.ID); err != nil {
			t.Fatalf("delete: %v", err)
		}
		_, err := f.s.GetEndpoint(f.ctx, ep.ID)
		wantErr(t, "get deleted", err, store.ErrNotFound)
		wantErr(t, "delete again", f.s.DeleteEndpoint(f.ctx, ep.ID), store.ErrNotFound)
		if ds := f.list(store.DeliveryFilter{EndpointID: ep.ID}); len(ds) != 0 {
			t.Errorf("deleted endpoint still has %d deliveries", len(ds))
		}
		if ds := f.list(store.DeliveryFilter{EndpointID: kept.ID}); len(ds) != 1 {
			t.Errorf("other endpoint has %d deliveries, want 1", len(ds))
		}
	}},
	{"EndpointList", func(t *testing.T, f *fixture) {
		var all, active, disabled []int64
		for i := range 5 {
			ep := f.endpoint(func(e *store.Endpoint) { e.Active = i%2 == 0 })
			all = append(all, ep.ID)
			if ep.Active {
				active = append(active, ep.ID)
			} else {
				disabled = append(disabled, ep.ID)
			}
		}
		yes, no := true, false
		cases := []struct {
			name   string
			filter store.EndpointFilter
			want   []int64
		}{
			{"all", store.EndpointFilter{}, all},
			{"active", store.EndpointFilter{Active: &yes}, active},
			{"inactive", store.EndpointFilter{Active: &no}, disabled},
			{"after", store.EndpointFilter{AfterID: all[1]}, all[2:]},
			{"limit", store.EndpointFilter{Limit: 2}, all[:2]},
			{"page", store.EndpointFilter{AfterID: all[0], Limit: 2}, all[1:3]},
			{"active page", store.EndpointFilter{Active: &yes, AfterID: active[0], Limit: 1}, active[1:2]},
		}
		for _, c := range cases {
			got, err := f.s.ListEndpoints(f.ctx, c.filter)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if ids := endpointIDs(got); !slices.Equal(ids, c.want) {
				t.Errorf("%s: got %v, want %v", c.name, ids, c.want)
			}
		}
	}},
}

// fullEndpoint is an endpoint with every field set, its times whole seconds.
func fullEndpoint() store.Endpoint {
	retries, expires, disabledAt, since, last := 9, wholeSecond(time.Hour), wholeSecond(-time.Hour), wholeSecond(-2*time.Hour), wholeSecond(-3*time.Hour)
	return store.Endpoint{
		Title:                   "Billing",
		URL:                     "https://billing.example/hooks?x=1",
		Secret:                  "secret-new-0123456789",
		Active:                  false,
		Events:                  []string{"document.*", "signature.created"},
		Headers:                 map[string]string{"Authorization": "Bearer t", "X-Tenant": "7"},
		Description:             "invoices",
		CreatedBy:               "api:admin",
		MaxRetries:              &retries,
		SignatureProfile:        store.ProfileAckify,
		PreviousSecret:          "secret-old-0123456789",
		PreviousSecretExpiresAt: &expires,
		DisabledReason:          "maintenance",
		DisabledAt:              &disabledAt,
		FailureCount:            4,
		FailingSince:            &since,
		LastDeliveredAt:         &last,
	}
}

// sameEndpoint checks every field of got against want but ID and the
// store's own times (CreatedAt, UpdatedAt).
func sameEndpoint(t *testing.T, got, want store.Endpoint) {
	t.Helper()
	if want.ID != 0 && got.ID != want.ID {
		t.Errorf("ID = %d, want %d", got.ID, want.ID)
	}
	type plain struct {
		Title, URL, Secret, Description, CreatedBy, SignatureProfile, PreviousSecret, DisabledReason string
		Active                                                                                       bool
		FailureCount, RateLimitPerSecond                                                             int
	}
	pick := func(e store.Endpoint) plain {
		return plain{e.Title, e.URL, e.Secret, e.Description, e.CreatedBy, e.SignatureProfile, e.PreviousSecret, e.DisabledReason, e.Active, e.FailureCount, e.RateLimitPerSecond}
	}
	if g, w := pick(got), pick(want); g != w {
		t.Errorf("endpoint fields\n got %+v\nwant %+v", g, w)
	}
	if !slices.Equal(got.Events, want.Events) || !maps.Equal(got.Headers, want.Headers) {
		t.Errorf("events %v headers %v, want %v %v", got.Events, got.Headers, want.Events, want.Headers)
	}
	if (got.MaxRetries == nil) != (want.MaxRetries == nil) || got.MaxRetries != nil && *got.MaxRetries != *want.MaxRetries {
		t.Errorf("MaxRetries = %v, want %v", deref(got.MaxRetries), deref(want.MaxRetries))
	}
	sameTimePtr(t, "PreviousSecretExpiresAt", got.PreviousSecretExpiresAt, want.PreviousSecretExpiresAt)
	sameTimePtr(t, "DisabledAt", got.DisabledAt, want.DisabledAt)
	sameTimePtr(t, "FailingSince", got.FailingSince, want.FailingSince)
	sameTimePtr(t, "LastDeliveredAt", got.LastDeliveredAt, want.LastDeliveredAt)
}

// sameTimePtr checks that got and want are both nil or the same instant.
func sameTimePtr(t *testing.T, what string, got, want *time.Time) {
	t.Helper()
	switch {
	case want == nil:
		unset(t, what, got)
	case got == nil:
		t.Errorf("%s is nil, want %v", what, *want)
	default:
		sameInstant(t, what, *got, *want)
	}
}

// deref shows an optional int.
func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func endpointIDs(es []store.Endpoint) []int64 {
	ids := make([]int64, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	return ids
}
