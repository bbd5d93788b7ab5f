package ui

import (
	"errors"
	"net/http"
	"sort"
	"strings"

	"github.com/hookrelay/hookrelay/internal/client"
)

// formErrors maps a form input's name to what is wrong with it, in the API's
// words ("url: is required").
type formErrors map[string]string

// add records the first error of an input.
func (e *formErrors) add(input, msg string) {
	if *e == nil {
		*e = formErrors{}
	}
	if _, seen := (*e)[input]; !seen {
		(*e)[input] = msg
	}
}

// apiRefused records a validation error of the API on the input it names
// ("events[2]" and "headers.X-Name" belong to "events" and "headers") and
// reports whether err was one.
func (e *formErrors) apiRefused(err error) bool {
	var apiErr *client.Error
	if !errors.As(err, &apiErr) || apiErr.Body.Field == "" ||
		(apiErr.StatusCode != http.StatusUnprocessableEntity && apiErr.StatusCode != http.StatusBadRequest) {
		return false
	}
	input := apiErr.Body.Field
	if i := strings.IndexAny(input, "[."); i >= 0 {
		input = input[:i]
	}
	e.add(input, apiErr.Body.Message)
	return true
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
