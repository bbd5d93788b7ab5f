package endpointrules

import (
	"errors"
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

// ErrConfigURL refuses a change to the URL of an endpoint that WEBHOOK_URLS
// defines (CreatedBy store.ConfigSource). The operator trusts that URL (it
// may be internal, and is dialled without the SSRF guard); the trust must not
// pass to another URL, so the URL only changes in WEBHOOK_URLS.
var ErrConfigURL = errors.New("its URL is defined by WEBHOOK_URLS and can only be changed there, by the operator (or create a new webhook)")

// ErrConfigRemoved refuses to enable an endpoint that WEBHOOK_URLS defined
// and the operator has since removed from it: the operator's trust (no SSRF
// guard) went with it, so it comes back only through WEBHOOK_URLS.
var ErrConfigRemoved = errors.New("it was removed from WEBHOOK_URLS, whose endpoints the operator trusts; add its URL back there to enable it (or create a new webhook)")

// CheckConfigTrust keeps the trust of endpoints that WEBHOOK_URLS defines
// (CreatedBy store.ConfigSource) with the operator: it returns ErrConfigURL
// when p would change the URL of current, and ErrConfigRemoved when p would
// enable current after WEBHOOK_URLS dropped it. Every door that edits
// endpoints (the API, the dashboard through it, the library) asks it.
func CheckConfigTrust(current store.Endpoint, p store.EndpointPatch) error {
	if current.CreatedBy != store.ConfigSource {
		return nil
	}
	if p.URL != nil && *p.URL != current.URL {
		return ErrConfigURL
	}
	if a := p.Activation; a != nil && a.Active && !current.Active && current.DisabledReason == store.RemovedFromConfigReason {
		return ErrConfigRemoved
	}
	return nil
}
