package ui

import (
	"cmp"
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/hookrelay/hookrelay/internal/service"
)

// formErrors maps a form input's name to what is wrong with it, in the
// service's words ("url: is required").
type formErrors map[string]string

// endpointInputs names the input of the endpoint form that holds each field
// the service checks (service.FieldURL, …).
var endpointInputs = map[string]string{
	service.FieldTitle:       "title",
	service.FieldURL:         "url",
	service.FieldEvents:      "events",
	service.FieldHeaders:     "headers",
	service.FieldDescription: "description",
	service.FieldMaxRetries:  "max_retries",
	service.FieldRateLimit:   "rate_limit_per_second",
	service.FieldProfile:     "signature_profile",
	service.FieldSecret:      "secret",
	service.FieldTenantID:    "tenant_id",
}

// publishInputs names the input of the publish form that holds each field
// of an event the service checks.
var publishInputs = map[string]string{
	service.FieldType:        "type",
	service.FieldData:        "data",
	service.FieldOrderingKey: "ordering_key",
}

// add records the first error of an input.
func (e *formErrors) add(input, msg string) {
	if *e == nil {
		*e = formErrors{}
	}
	if _, seen := (*e)[input]; !seen {
		(*e)[input] = msg
	}
}

// refused records every *service.FieldError joined in err on the input that
// inputs names for its Field ("events[2]" and "headers.X-Name" go to the
// events and headers inputs; the first error of an input wins), and reports
// whether err held any. A field that has no input in the form is listed
// above the form only. An error that holds no FieldError is not the form's
// to show.
func (e *formErrors) refused(err error, inputs map[string]string) bool {
	fieldErrs := service.FieldErrors(err)
	for _, fe := range fieldErrs {
		input, ok := inputs[fe.Field]
		if !ok {
			input = fe.Field
		}
		e.add(input, fe.Error())
	}
	return len(fieldErrs) > 0
}

// submit writes what a form asks for (write) when every input could be
// read (parseErr nil), and returns write's error. Otherwise it writes
// nothing: it returns parseErr, the *service.FieldErrors of the inputs that
// could not be read, joined with the errors of check, the service's
// validation of the same input without them, so that the form shows every
// error at once.
func submit(parseErr error, check, write func() error) error {
	if parseErr == nil {
		return write()
	}
	return errors.Join(parseErr, check())
}

// inputOrder is the order of the inputs in the dashboard's forms (the
// endpoint form, then the publish form, then the event-type form's own),
// which the summary above a form follows.
var inputOrder = []string{
	"url", "title", "events", "headers", "description", "max_retries", "signature_profile", "tenant_id", "secret", "active",
	"type", "data",
	"name", "schema", "example",
}

// List is every error, for the summary above a form: in the order of the
// form's inputs (inputOrder), then those of fields without an input, by name.
func (e formErrors) List() []string {
	rank := func(input string) int {
		if i := slices.Index(inputOrder, input); i >= 0 {
			return i
		}
		return len(inputOrder)
	}
	inputs := slices.SortedFunc(maps.Keys(e), func(a, b string) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), strings.Compare(a, b))
	})
	out := make([]string, len(inputs))
	for i, input := range inputs {
		out[i] = e[input]
	}
	return out
}
