package main

import (
	"net/http"
	"strconv"

	"github.com/hookrelay/hookrelay"
)

// webhook is the admin screen's view of a hookrelay endpoint.
type webhook struct {
	ID             int64    `json:"id"`
	URL            string   `json:"url"`
	Events         []string `json:"events"`
	Secret         string   `json:"secret,omitempty"`
	Active         bool     `json:"active"`
	DisabledReason string   `json:"disabled_reason,omitempty"`
}

func webhookOf(e hookrelay.Endpoint) webhook {
	return webhook{ID: e.ID, URL: e.URL, Events: e.Events, Active: e.Active, DisabledReason: e.DisabledReason}
}

// listWebhooks handles GET /admin/webhooks.
func (a *app) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	endpoints, err := a.hooks.ListEndpoints(r.Context())
	if err != nil {
		return err
	}
	out := make([]webhook, len(endpoints))
	for i, e := range endpoints {
		out[i] = webhookOf(e)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// createWebhook handles POST /admin/webhooks {url, events?, secret?}; the
// answer shows the secret, once.
func (a *app) createWebhook(w http.ResponseWriter, r *http.Request) error {
	var req webhook
	if err := decode(r, &req); err != nil {
		return err
	}
	e, err := a.hooks.CreateEndpoint(r.Context(), hookrelay.Endpoint{URL: req.URL, Events: req.Events, Secret: req.Secret})
	if err != nil {
		return err
	}
	out := webhookOf(e)
	out.Secret = e.Secret
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// disableWebhook handles POST /admin/webhooks/{id}/disable.
func (a *app) disableWebhook(w http.ResponseWriter, r *http.Request) error {
	return a.switchWebhook(w, r, func(id int64) (hookrelay.Endpoint, error) {
		return a.hooks.DisableEndpoint(r.Context(), id, "disabled from the admin screen")
	})
}

// enableWebhook handles POST /admin/webhooks/{id}/enable.
func (a *app) enableWebhook(w http.ResponseWriter, r *http.Request) error {
	return a.switchWebhook(w, r, func(id int64) (hookrelay.Endpoint, error) {
		return a.hooks.EnableEndpoint(r.Context(), id)
	})
}

// switchWebhook applies change to the webhook of the route's {id}.
func (a *app) switchWebhook(w http.ResponseWriter, r *http.Request, change func(id int64) (hookrelay.Endpoint, error)) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errorf(http.StatusNotFound, "no webhook %q", r.PathValue("id"))
	}
	e, err := change(id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, webhookOf(e))
	return nil
}
