package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
)

// eventTypesPerPage is the length of a page of the event-type catalog.
const eventTypesPerPage = 50

// eventTypeInputs names the input of the event-type form that holds each
// field the service checks.
var eventTypeInputs = map[string]string{
	service.FieldName:        "name",
	service.FieldDescription: "description",
	service.FieldSchema:      "schema",
	service.FieldExample:     "example",
}

// dashboardPaths are the URLs of the dashboard's pages: the catalog's
// pages are the dashboard's only.
var dashboardPaths = paths{prefix: Prefix}

// eventTypesView is the data of the catalog's page.
type eventTypesView struct {
	Types []store.EventType
	// Next is the URL of the next page; "" on the last one.
	Next string
}

// listEventTypes handles GET /ui/event-types?cursor=: the catalog by name.
func (s *server) listEventTypes(w http.ResponseWriter, r *http.Request) error {
	cursor := r.URL.Query().Get("cursor")
	types, err := s.store.ListEventTypes(r.Context(), store.EventTypeFilter{AfterName: cursor, Limit: eventTypesPerPage + 1})
	if err != nil {
		return fmt.Errorf("list event types: %w", err)
	}
	v := eventTypesView{}
	var more bool
	if v.Types, more = store.CutPage(types, eventTypesPerPage); more {
		v.Next = s.paths.to("event-types?cursor=") + url.QueryEscape(v.Types[len(v.Types)-1].Name)
	}
	s.render(w, r, http.StatusOK, "event_types", "Event types", v)
	return nil
}

// eventTypeForm is the create and edit form of a catalogued type, as typed.
type eventTypeForm struct {
	// Editing is the name of the type edited; "" on create (the name is
	// the key, and cannot change).
	Editing     string
	Name        string
	Description string
	Schema      string // JSON text; blank: none
	Example     string // JSON text; blank: none
	Deprecated  bool
	Errors      formErrors
}

// Action is where the form posts.
func (f eventTypeForm) Action() string {
	if f.Editing != "" {
		return dashboardPaths.eventType(f.Editing)
	}
	return dashboardPaths.to("event-types")
}

// readEventTypeForm reads the posted form.
func readEventTypeForm(r *http.Request) eventTypeForm {
	v := r.PostForm
	return eventTypeForm{
		Name:        strings.TrimSpace(v.Get("name")),
		Description: strings.TrimSpace(v.Get("description")),
		Schema:      strings.TrimSpace(v.Get("schema")),
		Example:     strings.TrimSpace(v.Get("example")),
		Deprecated:  v.Get("deprecated") != "",
	}
}

// eventTypeFormOf fills the form with a stored type, its schema and
// example as stored (as someone wrote them).
func eventTypeFormOf(t store.EventType) eventTypeForm {
	return eventTypeForm{
		Editing: t.Name, Name: t.Name, Description: t.Description,
		Schema: string(t.Schema), Example: string(t.Example), Deprecated: t.Deprecated,
	}
}

// newEventType handles GET /ui/new-event-type: the form is outside
// /ui/event-types/, whose every name is a type's (a type may be named "new").
func (s *server) newEventType(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "event_type_form", "New event type", eventTypeForm{})
	return nil
}

// createEventType handles POST /ui/event-types.
func (s *server) createEventType(w http.ResponseWriter, r *http.Request) error {
	f := readEventTypeForm(r)
	_, err := s.service.CreateEventType(r.Context(), store.EventType{
		Name: f.Name, Description: f.Description, Schema: []byte(f.Schema), Example: []byte(f.Example), Deprecated: f.Deprecated,
	})
	return s.answerEventTypeForm(w, r, f, "New event type", err, "event-type-created")
}

// editEventType handles GET /ui/event-types/{name}.
func (s *server) editEventType(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	t, err := s.store.GetEventType(r.Context(), name)
	if err != nil {
		return notFound(err, fmt.Sprintf("event type %q", name))
	}
	s.render(w, r, http.StatusOK, "event_type_form", "Edit "+name, eventTypeFormOf(t))
	return nil
}

// updateEventType handles POST /ui/event-types/{name}: every field of the
// form is written (a blank schema or example removes it).
func (s *server) updateEventType(w http.ResponseWriter, r *http.Request) error {
	f := readEventTypeForm(r)
	f.Editing = r.PathValue("name")
	f.Name = f.Editing
	schema, example := json.RawMessage(f.Schema), json.RawMessage(f.Example)
	_, err := s.service.UpdateEventType(r.Context(), f.Editing, store.EventTypePatch{
		Description: &f.Description, Schema: &schema, Example: &example, Deprecated: &f.Deprecated,
	})
	return s.answerEventTypeForm(w, r, f, "Edit "+f.Editing, notFound(err, fmt.Sprintf("event type %q", f.Editing)), "event-type-saved")
}

// answerEventTypeForm answers a posted event-type form: to the catalog with
// notice when err is nil, or the form again with the fields at fault (a
// name catalogued already is the name's fault).
func (s *server) answerEventTypeForm(w http.ResponseWriter, r *http.Request, f eventTypeForm, title string, err error, notice string) error {
	if err == nil {
		redirectNotice(w, r, s.paths.to("event-types"), notice)
		return nil
	}
	status := http.StatusUnprocessableEntity
	switch {
	case f.Editing == "" && errors.Is(err, store.ErrConflict):
		status = http.StatusConflict
		f.Errors.add("name", fmt.Sprintf("name: %q is catalogued already", f.Name))
	case !f.Errors.refused(err, eventTypeInputs):
		return err
	}
	s.render(w, r, status, "event_type_form", title, f)
	return nil
}

// deleteEventType handles POST /ui/event-types/{name}/delete; the events
// of the type are kept.
func (s *server) deleteEventType(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if err := s.service.DeleteEventType(r.Context(), name); err != nil {
		return notFound(err, fmt.Sprintf("event type %q", name))
	}
	redirectNotice(w, r, s.paths.to("event-types"), "event-type-deleted")
	return nil
}

// catalogChoice is a catalogued type that the endpoint form offers.
type catalogChoice struct {
	Name        string
	Description string
	Deprecated  bool
	// Checked is set when the endpoint subscribes to the type by its exact
	// name.
	Checked bool
}

// withCatalog moves the exact catalogued types out of the events text of f
// into its checkboxes (Catalog), deprecated ones included to be marked on
// the dashboard (the portal offers the current ones only: the types a
// tenant may subscribe to), so that the form offers the catalog; patterns and uncatalogued types stay
// in the text.
func (s *server) withCatalog(ctx context.Context, f *endpointForm) error {
	types, err := s.service.EventTypeChoices(ctx, s.portal == nil)
	if err != nil {
		return err
	}
	events := splitEvents(f.Events)
	f.Catalog = make([]catalogChoice, len(types))
	for i, t := range types {
		f.Catalog[i] = catalogChoice{Name: t.Name, Description: t.Description, Deprecated: t.Deprecated, Checked: slices.Contains(events, t.Name)}
	}
	rest := slices.DeleteFunc(events, func(e string) bool {
		return slices.ContainsFunc(types, func(t store.EventType) bool { return t.Name == e })
	})
	f.Events = strings.Join(rest, ", ")
	return nil
}
