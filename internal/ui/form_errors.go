package ui

import (
	"sort"

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

// List is every error, sorted, for the summary above a form.
func (e formErrors) List() []string {
	out := make([]string, 0, len(e))
	for _, msg := range e {
		out = append(out, msg)
	}
	sort.Strings(out)
	return out
}
