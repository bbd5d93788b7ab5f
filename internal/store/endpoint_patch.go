package store

import "time"

// EndpointPatch is an edit of one endpoint by a person or a program
// (UpdateEndpoint): each field that is set replaces its column, and every
// column of an unset field keeps its stored value. Nothing in a patch touches
// the columns the worker maintains (FailureCount, FailingSince,
// LastDeliveredAt, and Active, DisabledReason and DisabledAt set by the
// health rules of Complete) except Activation, whose whole point is Active.
// So an edit racing the worker's outcomes loses none of them, and never
// re-activates an endpoint that the worker has just disabled.
//
// A patch does not validate anything: callers check the endpoint they would
// get (Apply of the stored row) before they write it.
type EndpointPatch struct {
	Title   *string
	URL     *string
	Events  *[]string // an empty list subscribes to every event
	Headers *map[string]string
	// Description is stored as NULL when empty.
	Description *string
	// MaxRetries sets the endpoint's retry budget; a patch cannot clear it.
	MaxRetries *int
	// RateLimitPerSecond sets the endpoint's rate limit; 0 removes it. The
	// same write makes the endpoint's pending deliveries scheduled within
	// RateHorizon ahead (every one a claim deferred for a token, retried or
	// not; none scheduled further ahead, so no row another program
	// scheduled on purpose moves) due now and clears
	// RateState.DeferredUntil, so that they are paced at the new limit, not
	// at the old one's token times.
	RateLimitPerSecond *int
	SignatureProfile   *string
	// Rotation, when set, replaces the secret (see SecretRotation).
	Rotation *SecretRotation
	// Activation, when set, enables or disables the endpoint (see Activation).
	Activation *Activation
}

// SecretRotation replaces an endpoint's secret: the stored secret becomes
// PreviousSecret, still signing until PreviousExpiresAt, and Secret signs
// from now on. The store moves the secret itself, in the same statement, so
// that two rotations at once cannot lose the secret that receivers hold.
type SecretRotation struct {
	Secret            string
	PreviousExpiresAt time.Time
}

// Activation is a deliberate enable or disable of an endpoint (by the API,
// the dashboard or the library, never by the health rules). Enabling sets
// Active and gives the endpoint a clean health record: DisabledReason and
// DisabledAt are cleared, FailureCount is 0 and FailingSince nil. Disabling
// clears Active and sets DisabledReason to Reason and DisabledAt to At,
// keeping the health record.
type Activation struct {
	Active bool
	Reason string    // the disabled_reason of a disable
	At     time.Time // the disabled_at of a disable
}

// Apply returns e with the patch applied as the stores apply it, but for
// UpdatedAt: the endpoint that UpdateEndpoint would store if e were the
// stored row. Callers validate it before they write the patch.
func (p EndpointPatch) Apply(e Endpoint) Endpoint {
	setIf(&e.Title, p.Title)
	setIf(&e.URL, p.URL)
	setIf(&e.Events, p.Events)
	setIf(&e.Headers, p.Headers)
	setIf(&e.Description, p.Description)
	setIf(&e.SignatureProfile, p.SignatureProfile)
	setIf(&e.RateLimitPerSecond, p.RateLimitPerSecond)
	if p.MaxRetries != nil {
		n := *p.MaxRetries
		e.MaxRetries = &n
	}
	if r := p.Rotation; r != nil {
		expires := r.PreviousExpiresAt
		e.PreviousSecret, e.PreviousSecretExpiresAt, e.Secret = e.Secret, &expires, r.Secret
	}
	if a := p.Activation; a != nil {
		e.Active = a.Active
		if a.Active {
			e.DisabledReason, e.DisabledAt, e.FailureCount, e.FailingSince = "", nil, 0, nil
		} else {
			at := a.At
			e.DisabledReason, e.DisabledAt = a.Reason, &at
		}
	}
	return e
}

// setIf sets *dst to *src when src is set.
func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}
