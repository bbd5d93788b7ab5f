package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/hookrelay/hookrelay/internal/store"
)

// Page sizes.
const (
	endpointsPerPage  = 50
	deliveriesPerPage = 50
	recentDeliveries  = 10
)

// maskedEndpoint is an endpoint as the dashboard shows it: masked by
// service.MaskEndpoint, as the API shows it (no secret or custom header
// value in full; the signature profile it is signed with). Only
// server.masked makes one, so that no page receives a secret by mistake.
type maskedEndpoint struct {
	store.Endpoint
}

// masked is e as the dashboard shows it.
func (s *server) masked(e store.Endpoint) maskedEndpoint {
	return maskedEndpoint{s.service.MaskEndpoint(e)}
}

// endpointRow is one line of the endpoint list.
type endpointRow struct {
	Endpoint maskedEndpoint
	Chart    chart
}

// endpointsView is the data of the endpoint list.
type endpointsView struct {
	Rows []endpointRow
	// Next is the URL of the next page; "" on the last.
	Next string
	// Tenant is the tenant filter as typed ("" for every tenant); Error
	// explains one that cannot be used.
	Tenant string
	Error  string
}

// listEndpoints handles GET /ui/endpoints?tenant_id=&cursor= (after=, its
// older name, is still read so that saved links keep working).
func (s *server) listEndpoints(w http.ResponseWriter, r *http.Request) error {
	name := "cursor"
	if r.URL.Query().Has("after") {
		name = "after"
	}
	cursor, err := queryID(r, name)
	if err != nil {
		return err
	}
	v := endpointsView{Tenant: r.URL.Query().Get("tenant_id")}
	tenant, msg, err := s.tenantFilter(r.Context(), v.Tenant)
	if err != nil {
		return err
	}
	if msg != "" {
		v.Error = msg
		s.render(w, r, http.StatusBadRequest, "endpoints", "Endpoints", v)
		return nil
	}
	page, next, err := s.endpointPage(r.Context(), store.EndpointFilter{AfterID: cursor, TenantID: tenant}, endpointsPerPage)
	if err != nil {
		return err
	}
	ids := make([]int64, len(page))
	for i, e := range page {
		ids[i] = e.ID
	}
	charts, err := s.successCharts(r.Context(), ids)
	if err != nil {
		return err
	}
	v.Rows = make([]endpointRow, len(page))
	for i, e := range page {
		v.Rows[i] = endpointRow{Endpoint: e, Chart: charts[e.ID]}
	}
	if next != 0 {
		q := url.Values{"cursor": {strconv.FormatInt(next, 10)}}
		if v.Tenant != "" {
			q.Set("tenant_id", v.Tenant)
		}
		v.Next = s.paths.to("endpoints?") + q.Encode()
	}
	s.render(w, r, http.StatusOK, "endpoints", "Endpoints", v)
	return nil
}

// endpointPage reads up to limit endpoints that f selects (its Limit
// ignored), in ID order, and returns them with the cursor of the next page:
// the ID of the last one, or 0 on the last page.
func (s *server) endpointPage(ctx context.Context, f store.EndpointFilter, limit int) ([]maskedEndpoint, int64, error) {
	f.Limit = limit + 1
	es, err := s.store.ListEndpoints(ctx, f)
	if err != nil {
		return nil, 0, fmt.Errorf("list endpoints: %w", err)
	}
	es, more := store.CutPage(es, limit)
	page := make([]maskedEndpoint, len(es))
	for i, e := range es {
		page[i] = s.masked(e)
	}
	if !more {
		return page, 0, nil
	}
	return page, page[len(page)-1].ID, nil
}

// endpointView is the data of an endpoint's page.
type endpointView struct {
	Endpoint   maskedEndpoint
	Chart      chart
	Deliveries []deliveryRow
	// Concurrency is this process's limit for the endpoint; nil when the
	// dashboard has no workers' limits to show.
	Concurrency *concurrencyView
	// Recovery is its automatic recovery state (service.EndpointRecovery).
	Recovery store.Recovery
}

// concurrencyView is the in-flight limit of one endpoint in this process.
type concurrencyView struct {
	Limit    int
	Known    bool // false: the workers hold no limit for it now
	Ceiling  int
	Adaptive bool
}

// concurrency returns what s.limits say of endpoint id, or nil.
func (s *server) concurrency(id int64) *concurrencyView {
	if s.limits == nil {
		return nil
	}
	v := &concurrencyView{}
	v.Limit, v.Known = s.limits.Limit(id)
	v.Ceiling, v.Adaptive = s.limits.Ceiling()
	return v
}

// showEndpoint handles GET /ui/endpoints/{id}.
func (s *server) showEndpoint(w http.ResponseWriter, r *http.Request) error {
	e, err := s.endpoint(r)
	if err != nil {
		return err
	}
	c, err := s.successChart(r.Context(), e.ID)
	if err != nil {
		return err
	}
	recent, err := s.store.ListDeliveries(r.Context(), store.DeliveryFilter{EndpointID: e.ID, Limit: recentDeliveries})
	if err != nil {
		return fmt.Errorf("list deliveries of endpoint %d: %w", e.ID, err)
	}
	rec, err := s.service.EndpointRecovery(r.Context(), e.ID)
	if err != nil {
		return notFound(err, endpointWhat(e.ID))
	}
	s.render(w, r, http.StatusOK, "endpoint", endpointName(e), endpointView{
		Endpoint: e, Chart: c, Deliveries: deliveryRows(recent), Concurrency: s.concurrency(e.ID), Recovery: rec,
	})
	return nil
}

// newEndpoint handles GET /ui/endpoints/new.
func (s *server) newEndpoint(w http.ResponseWriter, r *http.Request) error {
	f := endpointForm{Active: true, SignatureProfile: s.defaultProfile, RequireVerification: s.service.RequiresVerification(nil)}
	if err := s.withCatalog(r.Context(), &f); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "endpoint_form", "New endpoint", f)
	return nil
}

// createEndpoint handles POST /ui/endpoints: the answer shows the new
// endpoint's secret, this once.
func (s *server) createEndpoint(w http.ResponseWriter, r *http.Request) error {
	f := readEndpointForm(r)
	e, parseErr := f.create(r.PostForm.Get("secret"), s.paths)
	var created store.Endpoint
	err := submit(parseErr, func() error { return s.service.CheckEndpoint(r.Context(), e) }, func() (err error) {
		created, err = s.service.CreateEndpoint(r.Context(), e)
		return err
	})
	if err == nil {
		s.render(w, r, http.StatusCreated, "secret", "Endpoint created",
			secretView{Endpoint: s.masked(created), Secret: created.Secret, Created: true})
		return nil
	}
	if !f.Errors.refused(err, endpointInputs) {
		return err
	}
	if err := s.withCatalog(r.Context(), &f); err != nil {
		return err
	}
	s.render(w, r, http.StatusUnprocessableEntity, "endpoint_form", "New endpoint", f)
	return nil
}

// editEndpoint handles GET /ui/endpoints/{id}/edit.
func (s *server) editEndpoint(w http.ResponseWriter, r *http.Request) error {
	e, err := s.endpoint(r)
	if err != nil {
		return err
	}
	f := formOf(e)
	if err := s.withCatalog(r.Context(), &f); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "endpoint_form", "Edit "+endpointName(e), f)
	return nil
}

// updateEndpoint handles POST /ui/endpoints/{id}.
func (s *server) updateEndpoint(w http.ResponseWriter, r *http.Request) error {
	e, err := s.endpoint(r)
	if err != nil {
		return err
	}
	f := readEndpointForm(r)
	f.ID, f.FromConfig = e.ID, e.CreatedBy == store.ConfigSource
	u, parseErr := f.update(e)
	err = submit(parseErr, func() error { return s.service.CheckEndpointUpdate(r.Context(), e.ID, u) }, func() error {
		_, err := s.service.UpdateEndpoint(r.Context(), e.ID, u)
		return err
	})
	if err == nil {
		redirectNotice(w, r, s.paths.endpoint(e.ID), "updated")
		return nil
	}
	if !f.Errors.refused(err, endpointInputs) {
		return notFound(err, endpointWhat(e.ID))
	}
	if err := s.withCatalog(r.Context(), &f); err != nil {
		return err
	}
	s.render(w, r, http.StatusUnprocessableEntity, "endpoint_form", "Edit "+endpointName(e), f)
	return nil
}

// enableEndpoint handles POST /ui/endpoints/{id}/enable.
func (s *server) enableEndpoint(w http.ResponseWriter, r *http.Request) error {
	return applyAction(w, r, s.paths.endpoint, endpointWhat, "enabled", s.service.EnableEndpoint)
}

// disableEndpoint handles POST /ui/endpoints/{id}/disable {reason}; without
// a reason, the door's (paths.disabledReason).
func (s *server) disableEndpoint(w http.ResponseWriter, r *http.Request) error {
	reason := r.PostForm.Get("reason")
	if reason == "" {
		reason = s.paths.disabledReason()
	}
	return applyAction(w, r, s.paths.endpoint, endpointWhat, "disabled", func(ctx context.Context, id int64) (store.Endpoint, error) {
		return s.service.DisableEndpoint(ctx, id, reason)
	})
}

// stopRecovery handles POST /ui/endpoints/{id}/recovery/stop: a person's
// stop of the endpoint's automatic recovery (service.StopRecovery).
func (s *server) stopRecovery(w http.ResponseWriter, r *http.Request) error {
	return applyAction(w, r, s.paths.endpoint, endpointWhat, "recovery-stopped", s.service.StopRecovery)
}

// deleteEndpoint handles POST /ui/endpoints/{id}/delete.
func (s *server) deleteEndpoint(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.service.DeleteEndpoint(r.Context(), id); err != nil {
		return notFound(err, endpointWhat(id))
	}
	redirectNotice(w, r, s.paths.to("endpoints"), "deleted")
	return nil
}

// applyAction applies change to the row of the route's {id} and sends the
// browser back to the row's page (path) with a notice; what names the row
// in a 404 when there is none.
func applyAction[T any](w http.ResponseWriter, r *http.Request, path, what func(int64) string, notice string,
	change func(context.Context, int64) (T, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := change(r.Context(), id); err != nil {
		return notFound(err, what(id))
	}
	redirectNotice(w, r, path(id), notice)
	return nil
}

// confirmDeleteEndpoint handles GET /ui/endpoints/{id}/delete: the question
// before the deletion, which works without JavaScript.
func (s *server) confirmDeleteEndpoint(w http.ResponseWriter, r *http.Request) error {
	e, err := s.endpoint(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "endpoint_delete", "Delete "+endpointName(e), e)
	return nil
}

// secretView is the data of the page that shows a secret once.
type secretView struct {
	Endpoint maskedEndpoint
	// Secret is the endpoint's new secret, in full.
	Secret string
	// Created is set after a create, unset after a rotation.
	Created bool
}

// rotateSecret handles POST /ui/endpoints/{id}/rotate-secret: the answer
// shows the new secret, this once.
func (s *server) rotateSecret(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	e, err := s.service.RotateSecret(r.Context(), id, "")
	if err != nil {
		return notFound(err, endpointWhat(id))
	}
	s.render(w, r, http.StatusOK, "secret", "Secret rotated", secretView{Endpoint: s.masked(e), Secret: e.Secret})
	return nil
}

// pingEndpoint handles POST /ui/endpoints/{id}/ping: a test event to this
// endpoint, then its delivery's page.
func (s *server) pingEndpoint(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := s.service.PingEndpoint(r.Context(), id)
	if err != nil {
		return notFound(err, endpointWhat(id))
	}
	redirectNotice(w, r, s.paths.delivery(d.ID), "pinged")
	return nil
}

// verifyEndpoint handles POST /ui/endpoints/{id}/verify: a new challenge
// to the unverified endpoint (the previous one no longer counts), then its
// page. A verified or disabled endpoint is refused (409).
func (s *server) verifyEndpoint(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.service.SendChallenge(r.Context(), id); err != nil {
		return notFound(err, endpointWhat(id))
	}
	redirectNotice(w, r, s.paths.endpoint(id), "challenged")
	return nil
}

// endpoint loads the endpoint of the route's {id}.
func (s *server) endpoint(r *http.Request) (maskedEndpoint, error) {
	id, err := pathID(r)
	if err != nil {
		return maskedEndpoint{}, err
	}
	return s.endpointByID(r.Context(), id)
}

// endpointByID loads endpoint id; a 404 page when there is none.
func (s *server) endpointByID(ctx context.Context, id int64) (maskedEndpoint, error) {
	e, err := s.store.GetEndpoint(ctx, id)
	if err != nil {
		return maskedEndpoint{}, notFound(fmt.Errorf("get endpoint %d: %w", id, err), endpointWhat(id))
	}
	return s.masked(e), nil
}

// endpointWhat names endpoint id in a 404 page.
func endpointWhat(id int64) string { return "endpoint " + strconv.FormatInt(id, 10) }

// maxListedEndpoints bounds the endpoints that filters and overviews name.
const maxListedEndpoints = 5000

// endpointIndexPage is the page size of the reads of loadEndpointIndex.
const endpointIndexPage = 500

// endpointIndex is every endpoint (up to maxListedEndpoints), to name them
// in lists of deliveries and offer them in filters.
type endpointIndex struct {
	All  []maskedEndpoint
	byID map[int64]maskedEndpoint
}

// Name names an endpoint by ID, or says it is gone.
func (x endpointIndex) Name(id int64) string {
	if e, ok := x.byID[id]; ok {
		return endpointName(e)
	}
	return fmt.Sprintf("endpoint %d (deleted)", id)
}

// loadEndpointIndex reads the endpoint index from the store.
func (s *server) loadEndpointIndex(ctx context.Context) (endpointIndex, error) {
	x := endpointIndex{byID: map[int64]maskedEndpoint{}}
	var cursor int64
	for len(x.All) < maxListedEndpoints {
		page, next, err := s.endpointPage(ctx, store.EndpointFilter{AfterID: cursor}, endpointIndexPage)
		if err != nil {
			return endpointIndex{}, err
		}
		for _, e := range page {
			x.byID[e.ID] = e
		}
		x.All = append(x.All, page...)
		if next == 0 {
			break
		}
		cursor = next
	}
	return x, nil
}

// endpointName is how the dashboard names an endpoint: its title, or its URL.
func endpointName(e maskedEndpoint) string {
	if e.Title != "" {
		return e.Title
	}
	return e.URL
}

// pathID reads the route's {id}; anything but a positive integer is a page
// that does not exist.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

// queryID reads an optional positive integer query parameter; 0 when absent.
func queryID(r *http.Request, name string) (int64, error) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, &pageError{http.StatusBadRequest, fmt.Sprintf("%s: %q is not a positive integer", name, raw)}
	}
	return id, nil
}

// Table is the table of the endpoint's recent deliveries.
func (v endpointView) Table() deliveryTable {
	return deliveryTable{Deliveries: v.Deliveries}
}
