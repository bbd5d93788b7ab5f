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
// UTF-8 or holds a NUL. The dashboard refuses what the API refuses, rather
// than letting the JSON encoding of its API requests turn bad bytes into
// U+FFFD on the way.
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
