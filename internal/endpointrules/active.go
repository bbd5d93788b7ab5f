package endpointrules

import (
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// SetActive switches an endpoint on (with a clean health record) or off
// (with the reason and time). A reason longer than a description may be, or
// that is not text both stores keep (store.CheckText), is refused with a
// *store.FieldError for "reason".
func SetActive(e *store.Endpoint, active bool, reason string, now time.Time) error {
	if err := store.ValidText("reason", reason); err != nil {
		return err
	}
	if len(reason) > maxDescription {
		return &store.FieldError{Field: "reason", Message: fmt.Sprintf("is longer than %d characters", maxDescription)}
	}
	e.Active = active
	if active {
		e.DisabledReason, e.DisabledAt, e.FailureCount, e.FailingSince = "", nil, 0, nil
		return nil
	}
	now = now.UTC()
	e.DisabledReason, e.DisabledAt = reason, &now
	return nil
}
