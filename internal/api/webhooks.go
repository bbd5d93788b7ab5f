package api

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/endpointrules"
	"github.com/hookrelay/hookrelay/internal/mask"
	"github.com/hookrelay/hookrelay/internal/store"
)

// createdByAPI is the CreatedBy of endpoints created through the API.
const createdByAPI = "api"

// disabledByAPI is the disabled_reason of an endpoint disabled without a reason.
const disabledByAPI = "disabled by API"

// createWebhook handles POST /v1/webhooks.
func (s *server) createWebhook(w http.ResponseWriter, r *http.Request) error {
	var req wire.EndpointCreate
	if err := s.decodeJSON(w, r, &req, false); err != nil {
		return err
	}
	e := store.Endpoint{
		Title:            req.Title,
		URL:              req.URL,
		Events:           req.Events,
		Headers:          req.Headers,
		Description:      req.Description,
		Active:           req.Active == nil || *req.Active,
		MaxRetries:       req.MaxRetries,
		SignatureProfile: req.SignatureProfile,
		CreatedBy:        createdByAPI,
	}
	e.SignatureProfile = s.rules.Profile(e)
	if !e.Active {
		off, err := endpointrules.NewActivation(false, disabledByAPI, time.Now())
		if err != nil {
			return err
		}
		e = store.EndpointPatch{Activation: &off}.Apply(e)
	}
	if err := s.rules.Validate(r.Context(), e, true); err != nil {
		return err
	}
	secret, err := endpointrules.NewSecret(req.Secret, e.SignatureProfile)
	if err != nil {
		return err
	}
	e.Secret = secret
	created, err := s.store.CreateEndpoint(r.Context(), e)
	if err != nil {
		return fmt.Errorf("create webhook: %w", err)
	}
	writeJSON(w, http.StatusCreated, s.endpointJSON(created, true))
	return nil
}

// listWebhooks handles GET /v1/webhooks?active=&limit=&cursor=, cursor as
// in GET /v1/deliveries: the next_cursor of the previous page. after is its
// deprecated alias (the name before 0.x), still accepted.
func (s *server) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := store.EndpointFilter{Active: q.bool("active"), AfterID: q.cursor("after"), Limit: q.limit()}
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

// getWebhook handles GET /v1/webhooks/{id}.
func (s *server) getWebhook(w http.ResponseWriter, r *http.Request) error {
	e, err := s.endpoint(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.endpointJSON(e, false))
	return nil
}

// updateWebhook handles PATCH /v1/webhooks/{id}: only the fields given
// change. The URL of an endpoint that WEBHOOK_URLS defines cannot (409); a
// new URL comes with the custom headers' values given again (422 otherwise),
// since they are secret. The endpoint they would make is validated, then
// only those fields are written, so that the health record the worker keeps
// meanwhile survives.
func (s *server) updateWebhook(w http.ResponseWriter, r *http.Request) error {
	e, err := s.endpoint(r)
	if err != nil {
		return err
	}
	var req wire.EndpointUpdate
	if err := s.decodeJSON(w, r, &req, false); err != nil {
		return err
	}
	urlChanged := req.URL != nil && *req.URL != e.URL
	// Header values are secret (shown masked): moving the endpoint must not
	// carry them to a host that the caller picks, so a move gives them again.
	moveKeepsSecrets := urlChanged && len(e.Headers) > 0 &&
		(req.Headers == nil || len(keptHeaderValues(*req.Headers, e.Headers)) > 0)
	if req.Headers != nil {
		kept := keepMaskedHeaders(*req.Headers, e.Headers)
		req.Headers = &kept
	}
	p := store.EndpointPatch{
		Title: req.Title, URL: req.URL, Events: req.Events, Headers: req.Headers, Description: req.Description,
		MaxRetries: req.MaxRetries, SignatureProfile: req.SignatureProfile,
	}
	if req.Active != nil && *req.Active != e.Active {
		a, err := endpointrules.NewActivation(*req.Active, disabledByAPI, time.Now())
		if err != nil {
			return err
		}
		p.Activation = &a
	}
	if err := endpointrules.CheckConfigTrust(e, p); err != nil {
		return configTrust(e.ID, err)
	}
	// A row that names no profile (Ackify's) is checked with the one it is
	// signed with.
	e.SignatureProfile = s.rules.Profile(e)
	if err := s.rules.Validate(r.Context(), p.Apply(e), urlChanged); err != nil {
		return err
	}
	if moveKeepsSecrets {
		return &store.FieldError{Field: "headers", Message: "give the custom headers' values again (or none): they are secret, and the URL changes"}
	}
	return s.saveEndpoint(w, r, e.ID, p, false)
}

// deleteWebhook handles DELETE /v1/webhooks/{id}.
func (s *server) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.store.DeleteEndpoint(r.Context(), id); err != nil {
		return notFound(err, fmt.Sprintf("webhook %d", id))
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// enableWebhook handles POST /v1/webhooks/{id}/enable: the endpoint is
// active again with a clean health record.
func (s *server) enableWebhook(w http.ResponseWriter, r *http.Request) error {
	e, err := s.endpoint(r)
	if err != nil {
		return err
	}
	on, err := endpointrules.NewActivation(true, "", time.Now())
	if err != nil {
		return err
	}
	p := store.EndpointPatch{Activation: &on}
	if err := endpointrules.CheckConfigTrust(e, p); err != nil {
		return configTrust(e.ID, err)
	}
	return s.saveEndpoint(w, r, e.ID, p, false)
}

// disableWebhook handles POST /v1/webhooks/{id}/disable {reason?}.
func (s *server) disableWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	req := wire.DisableRequest{Reason: disabledByAPI}
	if err := s.decodeJSON(w, r, &req, true); err != nil {
		return err
	}
	off, err := endpointrules.NewActivation(false, req.Reason, time.Now())
	if err != nil {
		return err
	}
	return s.saveEndpoint(w, r, id, store.EndpointPatch{Activation: &off}, false)
}

// rotateSecret handles POST /v1/webhooks/{id}/rotate-secret {secret?}: the
// new secret signs from now on, the old one also until the rotation window
// ends. The answer shows the new secret in full.
func (s *server) rotateSecret(w http.ResponseWriter, r *http.Request) error {
	e, err := s.endpoint(r)
	if err != nil {
		return err
	}
	var req wire.RotateSecretRequest
	if err := s.decodeJSON(w, r, &req, true); err != nil {
		return err
	}
	// A row that names no profile (Ackify's) is stored with the one it is
	// signed with, the one its new secret is checked for.
	profile := s.rules.Profile(e)
	secret, err := endpointrules.NewSecret(req.Secret, profile)
	if err != nil {
		return err
	}
	rotation := store.SecretRotation{Secret: secret, PreviousExpiresAt: time.Now().Add(s.rotationWindow).UTC()}
	return s.saveEndpoint(w, r, e.ID, store.EndpointPatch{Rotation: &rotation, SignatureProfile: &profile}, true)
}

// pingWebhook handles POST /v1/webhooks/{id}/ping: a webhook.ping event sent
// through the queue to this endpoint only, whatever the event types it
// subscribes to. A disabled endpoint is refused with 409.
func (s *server) pingWebhook(w http.ResponseWriter, r *http.Request) error {
	e, err := s.endpoint(r)
	if err != nil {
		return err
	}
	if !e.Active {
		return endpointDisabled(e.ID)
	}
	ev := store.Event{ID: store.NewEventID(), Type: pingEventType, Data: fmt.Appendf(nil, `{"webhook_id":%d}`, e.ID)}
	res, err := s.store.Publish(r.Context(), ev, store.PublishOptions{MaxRetries: s.maxRetries, EndpointIDs: []int64{e.ID}})
	if err != nil {
		return fmt.Errorf("publish ping: %w", err)
	}
	deliveries, err := s.store.ListDeliveries(r.Context(), store.DeliveryFilter{EventID: res.Event.ID, WebhookID: e.ID, Limit: 1})
	if err != nil {
		return fmt.Errorf("find ping delivery: %w", err)
	}
	if len(deliveries) == 0 { // disabled since it was read
		return endpointDisabled(e.ID)
	}
	writeJSON(w, http.StatusAccepted, wire.PingResponse{EventID: res.Event.ID, DeliveryID: deliveries[0].ID})
	return nil
}

// pingEventType is the type of the events that ping sends.
const pingEventType = "webhook.ping"

// configTrust is the 409 of endpointrules.CheckConfigTrust, on the url
// field (ErrConfigURL) or the active one (ErrConfigRemoved).
func configTrust(id int64, err error) error {
	e := newError(http.StatusConflict, codeConflict, "webhook %d: %v", id, err)
	e.body.Field = "active"
	if errors.Is(err, endpointrules.ErrConfigURL) {
		e.body.Field = "url"
	}
	return e
}

// endpointDisabled refuses a ping to an endpoint that is not active.
func endpointDisabled(id int64) error {
	return newError(http.StatusConflict, codeConflict, "webhook %d is disabled; enable it first", id)
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

// saveEndpoint writes p to endpoint id and answers with the stored row, its
// secret masked unless fullSecret is set.
func (s *server) saveEndpoint(w http.ResponseWriter, r *http.Request, id int64, p store.EndpointPatch, fullSecret bool) error {
	saved, err := s.store.UpdateEndpoint(r.Context(), id, p)
	if err != nil {
		return notFound(err, fmt.Sprintf("webhook %d", id))
	}
	writeJSON(w, http.StatusOK, s.endpointJSON(saved, fullSecret))
	return nil
}

// endpointJSON is the API view of an endpoint; the secret is masked unless
// fullSecret is set, and header values are always masked (mask.Headers). The signature profile is the one requests are signed
// with, the default one for a row that names none.
func (s *server) endpointJSON(e store.Endpoint, fullSecret bool) wire.Endpoint {
	out := wire.Endpoint{
		ID: e.ID, Title: e.Title, URL: e.URL, Events: e.Events, Headers: mask.Headers(e.Headers),
		Description: e.Description, Active: e.Active, MaxRetries: e.MaxRetries,
		SignatureProfile: s.rules.Profile(e), Secret: mask.Secret(e.Secret), CreatedBy: e.CreatedBy,
		DisabledReason: e.DisabledReason, DisabledAt: e.DisabledAt, FailureCount: e.FailureCount,
		LastDeliveredAt: e.LastDeliveredAt, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt,
	}
	if fullSecret {
		out.Secret = e.Secret
	}
	if e.PreviousSecret != "" {
		out.PreviousSecretExpiresAt = e.PreviousSecretExpiresAt
	}
	if out.Events == nil {
		out.Events = []string{}
	}
	if out.Headers == nil {
		out.Headers = map[string]string{}
	}
	return out
}

// keepMaskedHeaders resolves the header values of a PATCH: a value given as
// the mask the API shows for the stored value of that header (mask.HeaderValue)
// keeps the stored value, so that a header value is written only when it is
// given, and reading an endpoint then saving it changes nothing. Header names
// match case-insensitively, as HTTP's do.
func keepMaskedHeaders(given, stored map[string]string) map[string]string {
	out := maps.Clone(given)
	maps.Copy(out, keptHeaderValues(given, stored))
	return out
}

// keptHeaderValues returns the headers of given whose value is the mask of
// the stored value of the same name: by name, the stored value they stand
// for.
func keptHeaderValues(given, stored map[string]string) map[string]string {
	kept := map[string]string{}
	for name, value := range given {
		for storedName, storedValue := range stored {
			if strings.EqualFold(name, storedName) && value == mask.HeaderValue(storedValue) {
				kept[name] = storedValue
				break
			}
		}
	}
	return kept
}
