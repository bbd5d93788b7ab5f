package endpointrules

import (
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// NewActivation checks a deliberate enable (active) or disable (with the
// reason, at now in UTC) of an endpoint and returns it for an
// store.EndpointPatch; store.Activation says what it changes. A reason longer
// than a description may be, or that is not text both stores keep
// (store.CheckText), is refused with a *store.FieldError for "reason".
func NewActivation(active bool, reason string, now time.Time) (store.Activation, error) {
	if err := store.ValidText("reason", reason); err != nil {
		return store.Activation{}, err
	}
	if len(reason) > maxDescription {
		return store.Activation{}, &store.FieldError{Field: "reason", Message: fmt.Sprintf("is longer than %d characters", maxDescription)}
	}
	if active {
		return store.Activation{Active: true}, nil
	}
	return store.Activation{Reason: reason, At: now.UTC()}, nil
}
