package ui

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
)

// endpointForm is the create and edit form of an endpoint, as typed. It only
// parses the text into the service's input; the service validates it.
type endpointForm struct {
	// ID is the endpoint being edited; 0 on create.
	ID               int64
	Title            string
	URL              string
	Events           string // separated by commas, spaces or lines
	Headers          string // one "Name: value" a line
	Description      string
	MaxRetries       string // blank: the server's default
	RateLimit        string // requests per second; blank or 0: unlimited
	SignatureProfile string
	// Tenant is the endpoint's tenant: typed on create, shown read-only on
	// edit (a tenant never changes).
	Tenant string
	Active bool
	// RequireVerification, on create, makes the endpoint prove ownership
	// (a challenge) before it receives anything else; the new form checks
	// it when HOOKRELAY_REQUIRE_VERIFICATION is set.
	RequireVerification bool
	// FromConfig marks an endpoint that WEBHOOK_URLS defines: its URL is
	// shown read-only, since the service refuses to change it.
	FromConfig bool
	// Catalog is the event-type catalog, offered as checkboxes beside the
	// events text (see withCatalog).
	Catalog []catalogChoice
	Errors  formErrors
}

// Profiles lists the signature profiles for the form's select.
func (endpointForm) Profiles() []string {
	return []string{store.ProfileStandard, store.ProfileAckify}
}

// formOf fills the form with a stored endpoint, masked: header values are
// shown masked, and the service keeps the stored value of a header whose
// masked value comes back unchanged.
func formOf(e maskedEndpoint) endpointForm {
	f := endpointForm{
		ID: e.ID, Title: e.Title, URL: e.URL, Events: strings.Join(e.Events, ", "),
		Description: e.Description, SignatureProfile: e.SignatureProfile, Active: e.Active,
		FromConfig: e.CreatedBy == store.ConfigSource, Tenant: e.TenantID,
	}
	if e.MaxRetries != nil {
		f.MaxRetries = strconv.Itoa(*e.MaxRetries)
	}
	if e.RateLimitPerSecond != 0 {
		f.RateLimit = strconv.Itoa(e.RateLimitPerSecond)
	}
	lines := make([]string, 0, len(e.Headers))
	for _, h := range headerList(e.Headers) {
		lines = append(lines, h.Name+": "+h.Value)
	}
	f.Headers = strings.Join(lines, "\n")
	return f
}

// readEndpointForm reads the posted form; the catalogued types checked
// (event_type) join the events typed.
func readEndpointForm(r *http.Request) endpointForm {
	v := r.PostForm
	return endpointForm{
		Title:               strings.TrimSpace(v.Get("title")),
		URL:                 strings.TrimSpace(v.Get("url")),
		Events:              strings.Join(append([]string{v.Get("events")}, v["event_type"]...), " "),
		Headers:             v.Get("headers"),
		Description:         strings.TrimSpace(v.Get("description")),
		MaxRetries:          strings.TrimSpace(v.Get("max_retries")),
		RateLimit:           strings.TrimSpace(v.Get("rate_limit_per_second")),
		SignatureProfile:    v.Get("signature_profile"),
		Tenant:              strings.TrimSpace(v.Get("tenant_id")),
		Active:              v.Get("active") != "",
		RequireVerification: v.Get("require_verification") != "",
	}
}

// splitEvents splits the events text of the form: types and patterns
// separated by commas, spaces or lines.
func splitEvents(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t' || r == '\r' || r == '\n'
	})
}

// parsed is the typed content of a form.
type parsed struct {
	events     []string
	headers    map[string]string
	maxRetries *int
	rateLimit  int
}

// parse turns the text inputs into typed values. An input it cannot read
// is a *service.FieldError on its field, joined in the error, and is left
// out of the values, so that the service still checks the others.
func (f *endpointForm) parse() (parsed, error) {
	p := parsed{events: splitEvents(f.Events)}
	var errs []error
	for i, line := range strings.Split(f.Headers, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			errs = append(errs, &service.FieldError{Field: service.FieldHeaders, Message: fmt.Sprintf("line %d: write each header as Name: value", i+1)})
			continue
		}
		if p.headers == nil {
			p.headers = map[string]string{}
		}
		p.headers[strings.TrimSpace(name)] = strings.TrimSpace(value)
	}
	if f.MaxRetries != "" {
		if n, err := strconv.Atoi(f.MaxRetries); err != nil {
			errs = append(errs, &service.FieldError{Field: service.FieldMaxRetries, Message: "must be a whole number"})
		} else {
			p.maxRetries = &n
		}
	}
	if f.RateLimit != "" {
		if n, err := strconv.Atoi(f.RateLimit); err != nil {
			errs = append(errs, &service.FieldError{Field: service.FieldRateLimit, Message: "must be a whole number of requests per second"})
		} else {
			p.rateLimit = n
		}
	}
	return p, errors.Join(errs...)
}

// create is the endpoint that the form on the pages of p creates, with
// secret ("" for a generated one), and the errors of the inputs it could not
// read (parse). Its CreatedBy is the door ("dashboard" or "portal").
func (f *endpointForm) create(secret string, p paths) (store.Endpoint, error) {
	parsed, err := f.parse()
	e := store.Endpoint{
		Title: f.Title, URL: f.URL, Events: parsed.events, Headers: parsed.headers, Description: f.Description,
		Active: f.Active, MaxRetries: parsed.maxRetries, SignatureProfile: f.SignatureProfile, Secret: secret,
		CreatedBy: p.door(), RateLimitPerSecond: parsed.rateLimit, TenantID: f.Tenant,
		Verification: store.EndpointVerification{Unverified: f.RequireVerification},
	}
	if len(e.Events) == 0 {
		e.Events = nil // every event
	}
	if !e.Active {
		e.DisabledReason = p.disabledReason()
	}
	return e, err
}

// update is the edit that stores the form over the endpoint it edits;
// current is that endpoint as stored; and the errors of the inputs it could
// not read (parse).
func (f *endpointForm) update(current maskedEndpoint) (service.EndpointUpdate, error) {
	p, err := f.parse()
	if f.MaxRetries == "" && current.MaxRetries != nil {
		err = errors.Join(err, &service.FieldError{Field: service.FieldMaxRetries, Message: "cannot be cleared once set; enter a number of retries"})
	}
	events, headers := p.events, p.headers
	if events == nil {
		events = []string{}
	}
	if headers == nil {
		headers = map[string]string{}
	}
	return service.EndpointUpdate{
		Title: &f.Title, URL: &f.URL, Events: &events, Headers: &headers, Description: &f.Description,
		MaxRetries: p.maxRetries, SignatureProfile: &f.SignatureProfile, RateLimitPerSecond: &p.rateLimit,
	}, err
}
