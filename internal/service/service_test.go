package service_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/mask"
	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

// target is a public address that the SSRF guard accepts without DNS.
const target = "https://93.184.215.14/hooks"

// now is the service's clock in these tests.
var now = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// eachService runs test once per store (testenv.EachStore) with a new store
// and a service with opts on it, on a fixed clock.
func eachService(t *testing.T, opts service.Options, test func(t *testing.T, s *service.Service, st store.Store)) {
	opts.Now = func() time.Time { return now }
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		st := newStore(t)
		test(t, service.New(st, opts), st)
	})
}

// paths lists the paths of the *FieldErrors in err, in order, and checks
// that err matches ErrInvalid.
func paths(t *testing.T, err error) []string {
	t.Helper()
	if !errors.Is(err, service.ErrInvalid) {
		t.Fatalf("error %v does not match ErrInvalid", err)
	}
	var out []string
	var walk func(error)
	walk = func(err error) {
		var fe *service.FieldError
		if errors.As(err, &fe) && fe == err {
			out = append(out, fe.Path())
			return
		}
		if joined, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range joined.Unwrap() {
				walk(e)
			}
		} else if next := errors.Unwrap(err); next != nil {
			walk(next)
		}
	}
	walk(err)
	return out
}

// wantFirst checks that the first field at fault in err is path.
func wantFirst(t *testing.T, err error, path string) {
	t.Helper()
	got := paths(t, err)
	if len(got) == 0 || got[0] != path {
		t.Errorf("error %v: fields %v, want %s first", err, got, path)
	}
}

// create stores a valid endpoint, changed by mod.
func create(t *testing.T, s *service.Service, mod func(*store.Endpoint)) store.Endpoint {
	t.Helper()
	e := store.Endpoint{URL: target, Active: true, CreatedBy: "test"}
	if mod != nil {
		mod(&e)
	}
	created, err := s.CreateEndpoint(t.Context(), e)
	if err != nil {
		t.Fatalf("create %+v: %v", e, err)
	}
	return created
}

func ptr[T any](v T) *T { return &v }

func TestCreateEndpoint(t *testing.T) {
	eachService(t, service.Options{DefaultProfile: store.ProfileAckify}, func(t *testing.T, s *service.Service, st store.Store) {
		ctx := t.Context()
		e := create(t, s, nil)
		if e.ID == 0 || !e.Active || !strings.HasPrefix(e.Secret, "whsec_") || e.SignatureProfile != store.ProfileAckify || e.CreatedBy != "test" {
			t.Errorf("created %+v, want active, a generated secret, the default profile", e)
		}
		off := create(t, s, func(e *store.Endpoint) {
			e.Active, e.DisabledReason, e.Secret = false, "later", "a-long-enough-secret"
		})
		if off.Active || off.DisabledReason != "later" || off.DisabledAt == nil || !off.DisabledAt.Equal(now) || off.Secret != "a-long-enough-secret" {
			t.Errorf("created inactive %+v, want disabled now with the reason and the given secret", off)
		}

		for _, c := range []struct {
			path string
			mod  func(*store.Endpoint)
		}{
			{"url", func(e *store.Endpoint) { e.URL = "" }},
			{"url", func(e *store.Endpoint) { e.URL = "http://127.0.0.1:9/hooks" }},
			{"title", func(e *store.Endpoint) { e.Title = strings.Repeat("t", 201) }},
			{"events[0]", func(e *store.Endpoint) { e.Events = []string{"a b"} }},
			{"headers.X-Signature", func(e *store.Endpoint) { e.Headers = map[string]string{"X-Signature": "v"} }},
			{"description", func(e *store.Endpoint) { e.Description = "a\x00b" }},
			{"max_retries", func(e *store.Endpoint) { e.MaxRetries = ptr(36) }},
			{"rate_limit_per_second", func(e *store.Endpoint) { e.RateLimitPerSecond = -5 }},
			{"signature_profile", func(e *store.Endpoint) { e.SignatureProfile = "custom" }},
			{"secret", func(e *store.Endpoint) { e.Secret = "short" }},
			{"reason", func(e *store.Endpoint) { e.Active, e.DisabledReason = false, "a\x00b" }},
		} {
			in := store.Endpoint{URL: target, Active: true}
			c.mod(&in)
			_, err := s.CreateEndpoint(ctx, in)
			wantFirst(t, err, c.path)
		}
		// Every field at fault is named, in the order of the fields.
		_, err := s.CreateEndpoint(ctx, store.Endpoint{Title: strings.Repeat("t", 201), Events: []string{""}, Secret: "short"})
		if got := strings.Join(paths(t, err), " "); got != "title url events[0] secret" {
			t.Errorf("fields %q, want title url events[0] secret", got)
		}
		if list, err := st.ListEndpoints(ctx, store.EndpointFilter{}); err != nil || len(list) != 2 {
			t.Errorf("endpoints %d, %v; want only the 2 valid ones stored", len(list), err)
		}
	})
}

func TestUpdateEndpoint(t *testing.T) {
	eachService(t, service.Options{}, func(t *testing.T, s *service.Service, st store.Store) {
		ctx := t.Context()
		e := create(t, s, func(e *store.Endpoint) {
			e.Headers = map[string]string{"Authorization": "Bearer secret-token-0123456789"}
		})

		// A masked value keeps the stored one; the other fields change.
		masked := map[string]string{"authorization": mask.HeaderValue(e.Headers["Authorization"]), "X-New": "1"}
		saved, err := s.UpdateEndpoint(ctx, e.ID, service.EndpointUpdate{Title: ptr("CRM"), Headers: &masked})
		if err != nil {
			t.Fatal(err)
		}
		if saved.Title != "CRM" || saved.Headers["authorization"] != "Bearer secret-token-0123456789" || saved.Headers["X-New"] != "1" {
			t.Errorf("saved %+v, want the title, the stored header value kept under its given name, the new header", saved)
		}
		// Moving the endpoint needs the header values again.
		_, err = s.UpdateEndpoint(ctx, e.ID, service.EndpointUpdate{URL: ptr("https://93.184.215.15/hooks")})
		wantFirst(t, err, "headers")
		_, err = s.UpdateEndpoint(ctx, e.ID, service.EndpointUpdate{URL: ptr("https://93.184.215.15/hooks"), Headers: &masked})
		wantFirst(t, err, "headers")
		moved, err := s.UpdateEndpoint(ctx, e.ID, service.EndpointUpdate{URL: ptr("https://93.184.215.15/hooks"), Headers: &map[string]string{}})
		if err != nil || moved.URL != "https://93.184.215.15/hooks" || len(moved.Headers) != 0 {
			t.Errorf("move without headers = %+v, %v", moved, err)
		}
		// Bad fields, and the host check only when the URL changes.
		_, err = s.UpdateEndpoint(ctx, e.ID, service.EndpointUpdate{URL: ptr("http://127.0.0.1/hooks"), Events: &[]string{"ok", ""}})
		if got := strings.Join(paths(t, err), " "); got != "url events[1]" {
			t.Errorf("fields %q, want url events[1]", got)
		}
		_, err = s.UpdateEndpoint(ctx, e.ID, service.EndpointUpdate{RateLimitPerSecond: ptr(store.MaxRateLimitPerSecond + 1)})
		wantFirst(t, err, "rate_limit_per_second")
		if limited, err := s.UpdateEndpoint(ctx, e.ID, service.EndpointUpdate{RateLimitPerSecond: ptr(5)}); err != nil || limited.RateLimitPerSecond != 5 {
			t.Errorf("set a rate limit = %+v, %v; want 5/s", limited, err)
		}
		// A limit beyond the maximum written by SQL is checked only when an
		// edit sets it.
		if _, err := st.UpdateEndpoint(ctx, e.ID, store.EndpointPatch{RateLimitPerSecond: ptr(store.MaxRateLimitPerSecond * 2)}); err != nil {
			t.Fatal(err)
		}
		if renamed, err := s.UpdateEndpoint(ctx, e.ID, service.EndpointUpdate{Title: ptr("CRM 2")}); err != nil || renamed.RateLimitPerSecond != store.MaxRateLimitPerSecond*2 {
			t.Errorf("rename of an endpoint whose stored limit is beyond the maximum = %+v, %v; want renamed, limit kept", renamed, err)
		}
		if _, err := s.UpdateEndpoint(ctx, e.ID, service.EndpointUpdate{RateLimitPerSecond: ptr(5)}); err != nil {
			t.Fatal(err)
		}
		_, err = s.UpdateEndpoint(ctx, e.ID, service.EndpointUpdate{Active: ptr(false), DisabledReason: strings.Repeat("r", 2001)})
		wantFirst(t, err, "reason")
		off, err := s.UpdateEndpoint(ctx, e.ID, service.EndpointUpdate{Active: ptr(false), DisabledReason: "paused"})
		if err != nil || off.Active || off.DisabledReason != "paused" {
			t.Errorf("disable by update = %+v, %v", off, err)
		}
		if _, err := s.UpdateEndpoint(ctx, 9999, service.EndpointUpdate{Title: ptr("x")}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("update of a missing endpoint: %v, want ErrNotFound", err)
		}

		// An endpoint of WEBHOOK_URLS keeps its URL.
		if _, err := s.SyncConfigEndpoints(ctx, []string{" http://10.0.0.5/hook ", ""}, "a-long-enough-secret"); err != nil {
			t.Fatal(err)
		}
		list, err := st.ListEndpoints(ctx, store.EndpointFilter{})
		if err != nil {
			t.Fatal(err)
		}
		configured := list[len(list)-1]
		if configured.CreatedBy != store.ConfigSource || configured.URL != "http://10.0.0.5/hook" {
			t.Fatalf("synced %+v, want the trimmed URL of WEBHOOK_URLS", configured)
		}
		if _, err := s.UpdateEndpoint(ctx, configured.ID, service.EndpointUpdate{URL: ptr(target)}); !errors.Is(err, service.ErrConfigURL) || !errors.Is(err, store.ErrConflict) {
			t.Errorf("moving a configured endpoint: %v, want ErrConfigURL", err)
		}
		// Its unchanged URL is private, and fine.
		if _, err := s.UpdateEndpoint(ctx, configured.ID, service.EndpointUpdate{Title: ptr("internal")}); err != nil {
			t.Errorf("retitling a configured endpoint: %v", err)
		}
	})
}

func TestEnableDisableDelete(t *testing.T) {
	eachService(t, service.Options{}, func(t *testing.T, s *service.Service, _ store.Store) {
		ctx := t.Context()
		e := create(t, s, nil)
		_, err := s.DisableEndpoint(ctx, e.ID, "a\x00b")
		wantFirst(t, err, "reason")
		off, err := s.DisableEndpoint(ctx, e.ID, "maintenance")
		if err != nil || off.Active || off.DisabledReason != "maintenance" || off.DisabledAt == nil || !off.DisabledAt.Equal(now) {
			t.Errorf("DisableEndpoint = %+v, %v; want disabled now with the reason", off, err)
		}
		on, err := s.EnableEndpoint(ctx, e.ID)
		if err != nil || !on.Active || on.DisabledReason != "" || on.DisabledAt != nil || on.FailureCount != 0 {
			t.Errorf("EnableEndpoint = %+v, %v; want active with a clean record", on, err)
		}

		if _, err := s.SyncConfigEndpoints(ctx, []string{"http://10.0.0.5/hook"}, "a-long-enough-secret"); err != nil {
			t.Fatal(err)
		}
		if n, err := s.SyncConfigEndpoints(ctx, []string{"http://10.0.0.6/hook"}, "a-long-enough-secret"); err != nil || n != 1 {
			t.Fatalf("changing WEBHOOK_URLS: %d, %v", n, err)
		}
		removed, err := s.Store().ListEndpoints(ctx, store.EndpointFilter{Active: ptr(false)})
		if err != nil || len(removed) != 1 || removed[0].DisabledReason != store.RemovedFromConfigReason {
			t.Fatalf("endpoints disabled by the sync: %+v, %v", removed, err)
		}
		if _, err := s.EnableEndpoint(ctx, removed[0].ID); !errors.Is(err, service.ErrConfigRemoved) {
			t.Errorf("enabling an endpoint removed from WEBHOOK_URLS: %v, want ErrConfigRemoved", err)
		}

		if err := s.DeleteEndpoint(ctx, e.ID); err != nil {
			t.Fatal(err)
		}
		for name, err := range map[string]error{
			"delete":  s.DeleteEndpoint(ctx, e.ID),
			"enable":  second(s.EnableEndpoint(ctx, e.ID)),
			"disable": second(s.DisableEndpoint(ctx, e.ID, "gone")),
			"rotate":  second(s.RotateSecret(ctx, e.ID, "")),
			"ping":    second(s.PingEndpoint(ctx, e.ID)),
		} {
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s of a deleted endpoint: %v, want ErrNotFound", name, err)
			}
		}
	})
}

// second is the error of a call that returns a value too.
func second[T any](_ T, err error) error { return err }

func TestRotateSecret(t *testing.T) {
	eachService(t, service.Options{RotationWindow: time.Hour, DefaultProfile: store.ProfileAckify}, func(t *testing.T, s *service.Service, _ store.Store) {
		ctx := t.Context()
		e := create(t, s, nil) // the default profile, ackify
		_, err := s.RotateSecret(ctx, e.ID, "short")
		wantFirst(t, err, "secret")
		rotated, err := s.RotateSecret(ctx, e.ID, "whsec_my-ackify-secret") // raw bytes under ackify
		if err != nil {
			t.Fatal(err)
		}
		if rotated.Secret != "whsec_my-ackify-secret" || rotated.PreviousSecret != e.Secret ||
			rotated.PreviousSecretExpiresAt == nil || !rotated.PreviousSecretExpiresAt.Equal(now.Add(time.Hour)) ||
			rotated.SignatureProfile != store.ProfileAckify {
			t.Errorf("rotated %+v, want the new secret checked for ackify, the old one for an hour", rotated)
		}
		generated, err := s.RotateSecret(ctx, e.ID, "")
		if err != nil || !strings.HasPrefix(generated.Secret, "whsec_") || generated.PreviousSecret != rotated.Secret {
			t.Errorf("generated rotation = %+v, %v", generated, err)
		}
	})
}

func TestPingEndpoint(t *testing.T) {
	eachService(t, service.Options{DefaultMaxRetries: 3}, func(t *testing.T, s *service.Service, st store.Store) {
		ctx := t.Context()
		e := create(t, s, func(e *store.Endpoint) { e.Events = []string{"document.created"} })
		create(t, s, nil) // another endpoint, subscribed to everything, gets nothing
		d, err := s.PingEndpoint(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.EndpointID != e.ID || d.EventType != service.PingEventType || d.MaxRetries != 3 || d.Status != store.StatusPending {
			t.Errorf("ping delivery %+v, want a pending webhook.ping to the endpoint with the default budget", d)
		}
		ev, err := st.GetEvent(ctx, d.EventID)
		if err != nil || !json.Valid(ev.Data) || !strings.Contains(string(ev.Data), `"webhook_id":`) {
			t.Errorf("ping event %+v, %v", ev, err)
		}
		all, err := st.ListDeliveries(ctx, store.DeliveryFilter{EventID: d.EventID})
		if err != nil || len(all) != 1 {
			t.Errorf("ping deliveries %d, %v; want 1", len(all), err)
		}
		if _, err := s.DisableEndpoint(ctx, e.ID, "off"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PingEndpoint(ctx, e.ID); !errors.Is(err, service.ErrEndpointDisabled) || !errors.Is(err, store.ErrConflict) {
			t.Errorf("ping of a disabled endpoint: %v, want ErrEndpointDisabled", err)
		}
	})
}

func TestPublish(t *testing.T) {
	eachService(t, service.Options{DefaultMaxRetries: 4, MaxDataBytes: 64}, func(t *testing.T, s *service.Service, st store.Store) {
		ctx := t.Context()
		e := create(t, s, func(e *store.Endpoint) { e.Events = []string{"document.*"} })
		res, err := s.Publish(ctx, service.PublishRequest{Event: store.Event{Type: "document.created", Data: json.RawMessage(" {\"a\":1}\n")}})
		if err != nil || !res.Created || res.Deliveries != 1 || res.Event.ID == "" || string(res.Event.Data) != `{"a":1}` {
			t.Fatalf("Publish = %+v, %v; want one delivery, a new ID, the data trimmed", res, err)
		}
		ds, err := st.ListDeliveries(ctx, store.DeliveryFilter{EventID: res.Event.ID})
		if err != nil || len(ds) != 1 || ds[0].MaxRetries != 4 {
			t.Errorf("deliveries %+v, %v; want one with the default budget", ds, err)
		}
		targeted, err := s.Publish(ctx, service.PublishRequest{Event: store.Event{Type: "other"}, EndpointIDs: []int64{e.ID}})
		if err != nil || targeted.Deliveries != 1 {
			t.Errorf("targeted Publish = %+v, %v; want the named endpoint", targeted, err)
		}

		for _, c := range []struct {
			path string
			req  service.PublishRequest
		}{
			{"id", service.PublishRequest{Event: store.Event{ID: "nope", Type: "a"}}},
			{"type", service.PublishRequest{Event: store.Event{}}},
			{"data", service.PublishRequest{Event: store.Event{Type: "a", Data: json.RawMessage(`{`)}}},
			{"priority", service.PublishRequest{Event: store.Event{Type: "a", Priority: 1 << 31}}},
			{"endpoint_ids[0]", service.PublishRequest{Event: store.Event{Type: "a"}, EndpointIDs: []int64{0}}},
			{"endpoint_ids[1]", service.PublishRequest{Event: store.Event{Type: "a"}, EndpointIDs: []int64{e.ID, 9999}}},
			{"endpoint_ids", service.PublishRequest{Event: store.Event{Type: "a"}, EndpointIDs: make([]int64, 101)}},
		} {
			_, err := s.Publish(ctx, c.req)
			wantFirst(t, err, c.path)
		}
		var size *service.SizeError
		_, err = s.Publish(ctx, service.PublishRequest{Event: store.Event{Type: "a", Data: json.RawMessage(`"` + strings.Repeat("x", 64) + `"`)}})
		if !errors.As(err, &size) || size.Field != service.FieldData || size.Limit != 64 || !errors.Is(err, service.ErrInvalid) {
			t.Errorf("data above the limit: %v, want a *SizeError on data", err)
		}
		if n, err := st.CountByStatus(ctx); err != nil || n[store.StatusPending] != 2 {
			t.Errorf("pending deliveries %v, %v; want only the 2 valid publishes", n, err)
		}
	})
}

func TestPublishMany(t *testing.T) {
	eachService(t, service.Options{}, func(t *testing.T, s *service.Service, _ store.Store) {
		ctx := t.Context()
		e := create(t, s, nil)
		id := store.NewEventID()
		reqs := []service.PublishRequest{
			{Event: store.Event{ID: id, Type: "a"}},
			{Event: store.Event{Type: "bad type"}},
			{Event: store.Event{ID: id, Type: "a"}},
			{Event: store.Event{Type: "b"}, EndpointIDs: []int64{e.ID, 9999}},
		}
		results, err := s.PublishMany(ctx, reqs)
		if err != nil {
			t.Fatal(err)
		}
		if len(results) != 4 || !results[0].Created || results[0].Deliveries != 1 || results[2].Created || results[2].Err != nil {
			t.Errorf("results %+v, want the first created, the repeated ID not", results)
		}
		wantFirst(t, results[1].Err, "type")
		wantFirst(t, results[3].Err, "endpoint_ids[1]")

		for _, n := range []int{0, store.MaxPublishMany + 1} {
			_, err := s.PublishMany(ctx, make([]service.PublishRequest, n))
			wantFirst(t, err, "events")
			_, err = s.PrepareMany(ctx, make([]service.PublishRequest, n))
			wantFirst(t, err, "events")
		}
		_, err = s.PrepareMany(ctx, reqs)
		if wantFirst(t, err, "type"); err == nil || !strings.HasPrefix(err.Error(), "events[1]: type: ") {
			t.Errorf("PrepareMany = %v, want the refused event named by its index", err)
		}
		pubs, err := s.PrepareMany(ctx, reqs[:1])
		if err != nil || len(pubs) != 1 || pubs[0].Event.ID != id || string(pubs[0].Event.Data) != "{}" {
			t.Errorf("PrepareMany = %+v, %v; want the event with its defaults", pubs, err)
		}
	})
}

func TestDeliveryActions(t *testing.T) {
	eachService(t, service.Options{}, func(t *testing.T, s *service.Service, st store.Store) {
		ctx := t.Context()
		e := create(t, s, nil)
		res, err := s.Publish(ctx, service.PublishRequest{Event: store.Event{Type: "a"}})
		if err != nil {
			t.Fatal(err)
		}
		ds, err := st.ListDeliveries(ctx, store.DeliveryFilter{EventID: res.Event.ID})
		if err != nil || len(ds) != 1 {
			t.Fatalf("deliveries %v, %v", ds, err)
		}
		id := ds[0].ID
		if d, err := s.CancelDelivery(ctx, id); err != nil || d.Status != store.StatusCancelled {
			t.Errorf("CancelDelivery = %+v, %v", d, err)
		}
		if _, err := s.CancelDelivery(ctx, id); !errors.Is(err, service.ErrNotCancellable) || !errors.Is(err, store.ErrConflict) {
			t.Errorf("cancelling twice: %v, want ErrNotCancellable", err)
		}
		if d, err := s.RetryDelivery(ctx, id); err != nil || d.Status != store.StatusPending {
			t.Errorf("RetryDelivery = %+v, %v", d, err)
		}
		if _, err := st.Claim(ctx, store.ClaimRequest{Limit: 1, Lease: time.Minute, Worker: "test"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RetryDelivery(ctx, id); !errors.Is(err, service.ErrNotRetryable) {
			t.Errorf("retrying a delivery in flight: %v, want ErrNotRetryable", err)
		}
		if _, err := s.RetryDelivery(ctx, 9999); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("retrying a missing delivery: %v, want ErrNotFound", err)
		}
		if _, err := s.CancelDelivery(ctx, id); err != nil {
			t.Fatal(err)
		}

		_, err = s.ReplayDeliveries(ctx, service.ReplayFilter{EndpointID: ptr(int64(0)), EventType: "a\x00", EventID: "x"})
		if got := strings.Join(paths(t, err), " "); got != "endpoint_id event_type event_id" {
			t.Errorf("fields %q, want endpoint_id event_type event_id", got)
		}
		n, err := s.ReplayDeliveries(ctx, service.ReplayFilter{EndpointID: &e.ID, EventID: strings.ToUpper(res.Event.ID)})
		if err != nil || n != 1 {
			t.Errorf("ReplayDeliveries = %d, %v; want the cancelled delivery", n, err)
		}
	})
}

// An empty WEBHOOK_URLS (a worker-only serve, a process that configures no
// endpoints) leaves the endpoints that another process configured as they
// are; a non-empty list still disables the URLs it leaves out.
func TestEmptyConfigURLsLeaveConfigEndpointsAlone(t *testing.T) {
	eachService(t, service.Options{}, func(t *testing.T, s *service.Service, st store.Store) {
		ctx := t.Context()
		urls := []string{"http://10.0.0.5/hook", "http://10.0.0.6/hook"}
		if _, err := s.SyncConfigEndpoints(ctx, urls, "a-long-enough-secret"); err != nil {
			t.Fatal(err)
		}
		for _, empty := range [][]string{nil, {}, {" ", ""}} {
			if n, err := s.SyncConfigEndpoints(ctx, empty, ""); err != nil || n != 0 {
				t.Fatalf("SyncConfigEndpoints(%q) = %d, %v; want 0, nil", empty, n, err)
			}
		}
		active, err := st.ListEndpoints(ctx, store.EndpointFilter{Active: ptr(true)})
		if err != nil || len(active) != 2 {
			t.Fatalf("after an empty WEBHOOK_URLS: active %+v, %v; want both configured endpoints", active, err)
		}
		if _, err := s.SyncConfigEndpoints(ctx, urls[:1], "a-long-enough-secret"); err != nil {
			t.Fatal(err)
		}
		off, err := st.ListEndpoints(ctx, store.EndpointFilter{Active: ptr(false)})
		if err != nil || len(off) != 1 || off[0].URL != urls[1] || off[0].DisabledReason != store.RemovedFromConfigReason {
			t.Errorf("after dropping %s: inactive %+v, %v; want it alone, removed from config", urls[1], off, err)
		}
	})
}

// TestCheckWritesNothing: CheckEndpoint and CheckEndpointUpdate return the
// errors that CreateEndpoint and UpdateEndpoint would, and nil when those
// would succeed, writing nothing either way.
func TestCheckWritesNothing(t *testing.T) {
	eachService(t, service.Options{}, func(t *testing.T, s *service.Service, st store.Store) {
		ctx := t.Context()
		wantFirst(t, s.CheckEndpoint(ctx, store.Endpoint{URL: "ftp://x", Active: true}), "url")
		if err := s.CheckEndpoint(ctx, store.Endpoint{URL: target, Active: true}); err != nil {
			t.Errorf("CheckEndpoint of a valid endpoint: %v", err)
		}
		if list, err := st.ListEndpoints(ctx, store.EndpointFilter{}); err != nil || len(list) != 0 {
			t.Fatalf("endpoints after CheckEndpoint: %+v, %v; want none", list, err)
		}
		e := create(t, s, nil)
		wantFirst(t, s.CheckEndpointUpdate(ctx, e.ID, service.EndpointUpdate{Title: ptr("new"), MaxRetries: ptr(99)}), "max_retries")
		if err := s.CheckEndpointUpdate(ctx, e.ID, service.EndpointUpdate{Title: ptr("new")}); err != nil {
			t.Errorf("CheckEndpointUpdate of a valid edit: %v", err)
		}
		if got, err := st.GetEndpoint(ctx, e.ID); err != nil || got.Title != e.Title {
			t.Errorf("after CheckEndpointUpdate: %+v, %v; want it unchanged", got, err)
		}
		if err := s.CheckEndpointUpdate(ctx, 999999, service.EndpointUpdate{}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("CheckEndpointUpdate of a missing endpoint: %v, want ErrNotFound", err)
		}
	})
}

// TestSecretLengthIsInBytes: the rule counts bytes, and its message says
// so: 8 "é" are 16 bytes and pass, 7 are 14 and are refused in bytes.
func TestSecretLengthIsInBytes(t *testing.T) {
	if err := service.ValidateSecret(strings.Repeat("é", 8), store.ProfileStandard); err != nil {
		t.Errorf("16 bytes in 8 characters: %v", err)
	}
	err := service.ValidateSecret(strings.Repeat("é", 7), store.ProfileStandard)
	if want := "secret: must be at least 16 bytes (UTF-8: é counts 2)"; err == nil || err.Error() != want {
		t.Errorf("14 bytes: %v, want %q", err, want)
	}
}
