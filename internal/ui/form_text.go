package ui

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"

	"github.com/hookrelay/hookrelay/internal/store"
)

// formText checks every value of a posted form with store.CheckText and
// returns a 400 page naming the first input (by name) that is not valid
// UTF-8 or holds a NUL, before any handler reads the form: the dashboard
// refuses what the API refuses, and every input (the filters of a replay,
// the reason of a disable) is checked, not only those the service checks.
func formText(form url.Values) error {
	for _, name := range slices.Sorted(maps.Keys(form)) {
		if err := store.CheckText(name); err != nil {
			return &pageError{http.StatusBadRequest, fmt.Sprintf("a form input's name %v", err)}
		}
		for _, v := range form[name] {
			if err := store.CheckText(v); err != nil {
				return &pageError{http.StatusBadRequest, fmt.Sprintf("%s: %v", name, err)}
			}
		}
	}
	return nil
}
