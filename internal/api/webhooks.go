package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
)

// createdByAPI is the CreatedBy of endpoints created through the API.
const createdByAPI = "api"

// disabledByAPI is the disabled_reason of an endpoint disabled without a reason.
const disabledByAPI = "disabled by API"

// createEndpoint handles POST /v1/webhooks.
func (s *server) createEndpoint(w http.ResponseWriter, r *http.Request) error {
	var req wire.EndpointCreate
	if err := s.decodeJSON(w, r, &req, false); err != nil {
		return err
	}
	e := store.Endpoint{
		Title:              req.Title,
		URL:                req.URL,
		Secret:             req.Secret,
		Events:             req.Events,
		Headers:            req.Headers,
		Description:        req.Description,
		Active:             req.Active == nil || *req.Active,
		MaxRetries:         req.MaxRetries,
		SignatureProfile:   req.SignatureProfile,
		CreatedBy:          createdByAPI,
		RateLimitPerSecond: req.RateLimitPerSecond,
		Verification:       store.EndpointVerification{Unverified: s.service.RequiresVerification(req.RequireVerification)},
		TenantID:           req.TenantID,
	}
	if !e.Active {
		e.DisabledReason = disabledByAPI
	}
	created, err := s.service.CreateEndpoint(r.Context(), e)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, s.endpointJSON(created, true))
	return nil
}

// listEndpoints handles GET /v1/webhooks?active=&tenant_id=&limit=&cursor=, cursor as
// in GET /v1/deliveries: the next_cursor of the previous page. after is its
// deprecated alias (the name before 0.x), still accepted.
func (s *server) listEndpoints(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := store.EndpointFilter{Active: q.bool("active"), AfterID: q.cursor("after"), Limit: q.limit(),
		TenantID: q.tenant(r.Context(), s.service)}
	if q.err != nil {
		return q.err
	}
	limit := f.Limit
	f.Limit++ // one more tells whether a next page exists
	endpoints, err := s.store.ListEndpoints(r.Context(), f)
	if err != nil {
		return fmt.Errorf("list webhooks: %w", err)
	}
	endpoints, next := pageOf(endpoints, limit, func(e store.Endpoint) int64 { return e.ID })
	page := wire.EndpointList{Data: make([]wire.Endpoint, len(endpoints)), NextCursor: next}
	for i, e := range endpoints {
		page.Data[i] = s.endpointJSON(e, false)
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// getEndpoint handles GET /v1/webhooks/{id}.
func (s *server) getEndpoint(w http.ResponseWriter, r *http.Request) error {
	e, err := s.endpoint(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.endpointJSON(e, false))
	return nil
}

// updateEndpoint handles PATCH /v1/webhooks/{id}: only the fields given
// change (service.UpdateEndpoint: the URL of an endpoint that WEBHOOK_URLS
// defines cannot change, 409; a new URL comes with the custom headers'
// values given again, 422 otherwise, since they are secret).
func (s *server) updateEndpoint(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req wire.EndpointUpdate
	if err := s.decodeJSON(w, r, &req, false); err != nil {
		return err
	}
	saved, err := s.service.UpdateEndpoint(r.Context(), id, service.EndpointUpdate{
		Title: req.Title, URL: req.URL, Events: req.Events, Headers: req.Headers, Description: req.Description,
		MaxRetries: req.MaxRetries, SignatureProfile: req.SignatureProfile, Active: req.Active, DisabledReason: disabledByAPI,
		RateLimitPerSecond: req.RateLimitPerSecond, TenantID: req.TenantID,
	})
	return s.answerEndpoint(w, id, saved, err, false)
}

// deleteEndpoint handles DELETE /v1/webhooks/{id}.
func (s *server) deleteEndpoint(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.service.DeleteEndpoint(r.Context(), id); err != nil {
		return endpointError(id, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// enableEndpoint handles POST /v1/webhooks/{id}/enable: the endpoint is
// active again with a clean health record.
func (s *server) enableEndpoint(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	saved, err := s.service.EnableEndpoint(r.Context(), id)
	return s.answerEndpoint(w, id, saved, err, false)
}

// disableEndpoint handles POST /v1/webhooks/{id}/disable {reason?}.
func (s *server) disableEndpoint(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	req := wire.DisableRequest{Reason: disabledByAPI}
	if err := s.decodeJSON(w, r, &req, true); err != nil {
		return err
	}
	saved, err := s.service.DisableEndpoint(r.Context(), id, req.Reason)
	return s.answerEndpoint(w, id, saved, err, false)
}

// rotateSecret handles POST /v1/webhooks/{id}/rotate-secret {secret?}: the
// new secret signs from now on, the old one also until the rotation window
// ends. The answer shows the new secret in full.
func (s *server) rotateSecret(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req wire.RotateSecretRequest
	if err := s.decodeJSON(w, r, &req, true); err != nil {
		return err
	}
	saved, err := s.service.RotateSecret(r.Context(), id, req.Secret)
	return s.answerEndpoint(w, id, saved, err, true)
}

// pingEndpoint handles POST /v1/webhooks/{id}/ping: a webhook.ping event sent
// through the queue to this endpoint only, whatever the event types it
// subscribes to. A disabled endpoint is refused with 409.
func (s *server) pingEndpoint(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := s.service.PingEndpoint(r.Context(), id)
	if err != nil {
		return endpointError(id, err)
	}
	writeJSON(w, http.StatusAccepted, wire.PingResponse{EventID: d.EventID, DeliveryID: d.ID})
	return nil
}

// verifyEndpoint handles POST /v1/webhooks/{id}/verify: a new challenge is
// sent to the unverified endpoint (the previous one no longer counts), and
// the answer is the endpoint. A verified or disabled endpoint is refused
// with 409.
func (s *server) verifyEndpoint(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	saved, err := s.service.SendChallenge(r.Context(), id)
	if err != nil {
		return endpointError(id, err)
	}
	writeJSON(w, http.StatusAccepted, s.endpointJSON(saved, false))
	return nil
}

// endpointError is the answer to the service's refusals about endpoint id,
// in the API's words: 404 when it does not exist, 409 for the trust of
// WEBHOOK_URLS (on the url field for service.ErrConfigURL, the active one
// for service.ErrConfigRemoved) and for a ping to a disabled endpoint.
// Other errors are returned as they are.
func endpointError(id int64, err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return notFound(err, fmt.Sprintf("webhook %d", id))
	case errors.Is(err, service.ErrConfigURL):
		e := newError(http.StatusConflict, codeConflict, "webhook %d: %v", id, service.ErrConfigURL)
		e.body.Field = "url"
		return e
	case errors.Is(err, service.ErrConfigRemoved):
		e := newError(http.StatusConflict, codeConflict, "webhook %d: %v", id, service.ErrConfigRemoved)
		e.body.Field = "active"
		return e
	case errors.Is(err, service.ErrEndpointDisabled):
		return newError(http.StatusConflict, codeConflict, "webhook %d %v", id, service.ErrEndpointDisabled)
	case errors.Is(err, service.ErrAlreadyVerified):
		return newError(http.StatusConflict, codeConflict, "webhook %d %v", id, service.ErrAlreadyVerified)
	}
	return err
}

// answerEndpoint answers a change of endpoint id: the saved endpoint, its
// secret masked unless fullSecret is set, or the change's error.
func (s *server) answerEndpoint(w http.ResponseWriter, id int64, saved store.Endpoint, err error, fullSecret bool) error {
	if err != nil {
		return endpointError(id, err)
	}
	writeJSON(w, http.StatusOK, s.endpointJSON(saved, fullSecret))
	return nil
}

// endpoint loads the endpoint of the route's {id}.
func (s *server) endpoint(r *http.Request) (store.Endpoint, error) {
	id, err := pathID(r)
	if err != nil {
		return store.Endpoint{}, err
	}
	e, err := s.store.GetEndpoint(r.Context(), id)
	if err != nil {
		return store.Endpoint{}, notFound(err, fmt.Sprintf("webhook %d", id))
	}
	return e, nil
}

// endpointJSON is the API view of an endpoint, masked as every door shows
// it (service.MaskEndpoint), but for the secret in full when fullSecret is
// set.
func (s *server) endpointJSON(e store.Endpoint, fullSecret bool) wire.Endpoint {
	shown := s.service.MaskEndpoint(e)
	out := wire.Endpoint{
		ID: shown.ID, Title: shown.Title, URL: shown.URL, Events: shown.Events, Headers: shown.Headers,
		Description: shown.Description, Active: shown.Active, MaxRetries: shown.MaxRetries,
		RateLimitPerSecond: shown.RateLimitPerSecond,
		SignatureProfile:   shown.SignatureProfile, Secret: shown.Secret, CreatedBy: shown.CreatedBy,
		PreviousSecretExpiresAt: shown.PreviousSecretExpiresAt, DisabledReason: shown.DisabledReason,
		DisabledAt: shown.DisabledAt, FailureCount: shown.FailureCount,
		LastDeliveredAt: shown.LastDeliveredAt, CreatedAt: shown.CreatedAt, UpdatedAt: shown.UpdatedAt,
		ProbingSince: shown.Probe.Since, NextProbeAt: shown.Probe.NextAt, TenantID: shown.TenantID,
	}
	out.Verification = verificationJSON(e.Verification)
	if fullSecret {
		out.Secret = e.Secret
	}
	if out.Events == nil {
		out.Events = []string{}
	}
	if out.Headers == nil {
		out.Headers = map[string]string{}
	}
	return out
}

// verificationJSON is the API view of an endpoint's ownership state.
func verificationJSON(v store.EndpointVerification) wire.EndpointVerification {
	out := wire.EndpointVerification{State: wire.Verified, VerifiedAt: v.VerifiedAt, ChallengeSentAt: v.ChallengeSentAt}
	if v.Unverified {
		out.State = wire.Unverified
	}
	return out
}

// endpointRecovery handles GET /v1/webhooks/{id}/recovery: the endpoint's
// automatic recovery state (service.EndpointRecovery).
func (s *server) endpointRecovery(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rec, err := s.service.EndpointRecovery(r.Context(), id)
	if err != nil {
		return endpointError(id, err)
	}
	writeJSON(w, http.StatusOK, wire.Recovery{
		EndpointID: id, ProbingSince: rec.Since, NextProbeAt: rec.NextAt, FailedProbes: rec.Failures,
		ToRecover: rec.ToRecover, Recovering: rec.Recovering,
	})
	return nil
}

// stopRecovery handles POST /v1/webhooks/{id}/recovery/stop: a person's
// stop (service.StopRecovery); it answers the endpoint.
func (s *server) stopRecovery(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	saved, err := s.service.StopRecovery(r.Context(), id)
	return s.answerEndpoint(w, id, saved, err, false)
}
