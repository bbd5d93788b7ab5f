package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hookrelay/hookrelay/internal/api"
	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

func TestEndpointVerification(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		t.Run("RequireAndVerify", func(t *testing.T) { t.Parallel(); testRequireAndVerify(t, newStore(t)) })
		t.Run("SettingIsTheDefault", func(t *testing.T) { t.Parallel(); testVerificationSetting(t, newStore(t)) })
		t.Run("NewURLIsVerifiedAgain", func(t *testing.T) { t.Parallel(); testNewURLIsVerifiedAgain(t, newStore(t)) })
	})
}

// challengeDeliveries lists the deliveries of endpoint id's challenges.
func challengeDeliveries(t *testing.T, st store.Store, id int64) []store.Delivery {
	t.Helper()
	return listDeliveries(t, st, store.DeliveryFilter{EndpointID: id, EventType: store.VerificationEventType})
}

func testRequireAndVerify(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	plain := s.createEndpoint("http://127.0.0.1:9/plain")
	if v := plain.Verification; v.State != wire.Verified || v.VerifiedAt != nil || v.ChallengeSentAt != nil {
		t.Errorf("endpoint created without require_verification: %+v, want verified", v)
	}
	yes := true
	var ep wire.Endpoint
	s.call("POST", "/v1/webhooks", wire.EndpointCreate{URL: "http://127.0.0.1:9/owned", RequireVerification: &yes}, http.StatusCreated, &ep)
	if v := ep.Verification; v.State != wire.Unverified || v.VerifiedAt != nil || v.ChallengeSentAt == nil {
		t.Fatalf("endpoint created with require_verification: %+v, want unverified with a challenge sent", v)
	}
	first := challengeDeliveries(t, st, ep.ID)
	if len(first) != 1 || first[0].Status != store.StatusPending {
		t.Fatalf("challenge deliveries %+v, want one pending", first)
	}
	var got wire.Endpoint
	s.call("GET", fmt.Sprintf("/v1/webhooks/%d", ep.ID), nil, http.StatusOK, &got)
	if got.Verification.State != wire.Unverified {
		t.Errorf("GET shows %+v, want unverified", got.Verification)
	}

	var again wire.Endpoint
	s.call("POST", fmt.Sprintf("/v1/webhooks/%d/verify", ep.ID), nil, http.StatusAccepted, &again)
	if again.Verification.State != wire.Unverified || again.Verification.ChallengeSentAt == nil ||
		again.Verification.ChallengeSentAt.Before(*ep.Verification.ChallengeSentAt) {
		t.Errorf("after verify: %+v, want unverified with a new challenge", again.Verification)
	}
	all := challengeDeliveries(t, st, ep.ID)
	if len(all) != 2 || all[0].Status != store.StatusPending || all[1].Status != store.StatusCancelled || all[0].EventID == all[1].EventID {
		t.Errorf("challenge deliveries %+v, want the new one pending and the old one cancelled", all)
	}

	s.wantError("POST", fmt.Sprintf("/v1/webhooks/%d/verify", plain.ID), nil, http.StatusConflict, "conflict")
	s.wantError("POST", "/v1/webhooks/999999/verify", nil, http.StatusNotFound, "not_found")
	s.call("POST", fmt.Sprintf("/v1/webhooks/%d/disable", ep.ID), nil, http.StatusOK, nil)
	s.wantError("POST", fmt.Sprintf("/v1/webhooks/%d/verify", ep.ID), nil, http.StatusConflict, "conflict")
}

func testVerificationSetting(t *testing.T, st store.Store) {
	svc := service.New(st, service.Options{AllowPrivateTargets: true, DefaultMaxRetries: 3, RequireVerification: true})
	s := newServer(t, st, func(o *api.Options) { o.Service = svc })
	if ep := s.createEndpoint("http://127.0.0.1:9/a"); ep.Verification.State != wire.Unverified {
		t.Errorf("with the setting, an endpoint created without require_verification is %+v, want unverified", ep.Verification)
	}
	no := false
	var ep wire.Endpoint
	s.call("POST", "/v1/webhooks", wire.EndpointCreate{URL: "http://127.0.0.1:9/b", RequireVerification: &no}, http.StatusCreated, &ep)
	if ep.Verification.State != wire.Verified || len(challengeDeliveries(t, st, ep.ID)) != 0 {
		t.Errorf("require_verification false: %+v, want verified and no challenge", ep.Verification)
	}
}

// testNewURLIsVerifiedAgain: a PATCH that changes the URL of an endpoint
// that had to prove ownership, or of any endpoint under the setting, makes
// it unverified and challenges the new URL; one that changes no URL, or
// moves an endpoint trusted without the setting, sends no challenge.
func testNewURLIsVerifiedAgain(t *testing.T, st store.Store) {
	move := func(s *apiServer, id int64, url string) wire.Endpoint {
		var got wire.Endpoint
		s.call("PATCH", fmt.Sprintf("/v1/webhooks/%d", id), wire.EndpointUpdate{URL: &url}, http.StatusOK, &got)
		return got
	}
	s := newServer(t, st, nil)
	yes := true
	var ep wire.Endpoint
	s.call("POST", "/v1/webhooks", wire.EndpointCreate{URL: "http://127.0.0.1:9/a", RequireVerification: &yes}, http.StatusCreated, &ep)
	title := "renamed"
	s.call("PATCH", fmt.Sprintf("/v1/webhooks/%d", ep.ID), wire.EndpointUpdate{Title: &title}, http.StatusOK, nil)
	if n := len(challengeDeliveries(t, st, ep.ID)); n != 1 {
		t.Errorf("a PATCH that keeps the URL: %d challenges, want the first alone", n)
	}
	moved := move(s, ep.ID, "http://127.0.0.1:9/b")
	if moved.URL != "http://127.0.0.1:9/b" || moved.Verification.State != wire.Unverified {
		t.Errorf("unverified endpoint moved: %+v, want unverified at the new URL", moved)
	}
	all := challengeDeliveries(t, st, ep.ID)
	if len(all) != 2 || all[0].Status != store.StatusPending || all[1].Status != store.StatusCancelled {
		t.Errorf("challenge deliveries after the move %+v, want a new one pending and the old one cancelled", all)
	}

	plain := s.createEndpoint("http://127.0.0.1:9/plain")
	if got := move(s, plain.ID, "http://127.0.0.1:9/plain2"); got.Verification.State != wire.Verified || len(challengeDeliveries(t, st, plain.ID)) != 0 {
		t.Errorf("trusted endpoint moved without the setting: %+v, want verified and no challenge", got.Verification)
	}

	svc := service.New(st, service.Options{AllowPrivateTargets: true, DefaultMaxRetries: 3, RequireVerification: true})
	strict := newServer(t, st, func(o *api.Options) { o.Service = svc })
	if got := move(strict, plain.ID, "http://127.0.0.1:9/plain3"); got.Verification.State != wire.Unverified || len(challengeDeliveries(t, st, plain.ID)) != 1 {
		t.Errorf("trusted endpoint moved under the setting: %+v, want unverified with a challenge", got.Verification)
	}
}
