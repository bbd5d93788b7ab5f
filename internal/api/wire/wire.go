// Package wire defines the JSON documents of hookrelay's HTTP API (version 1),
// shared by the server in internal/api and the Go client in internal/client so
// that both speak exactly the same fields.
package wire

import (
	"encoding/json"
	"time"
)

// ErrorBody is the document of every error answer: {"error":{…}}.
type ErrorBody struct {
	Error Error `json:"error"`
}

// Error says what went wrong: a stable code, a readable message and, for a
// validation failure, the offending field or query parameter.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// Details lists how a value fails a JSON Schema (event data against its
	// type's schema, a catalogued schema against its meta-schema): Message
	// names the first.
	Details []SchemaViolation `json:"details,omitempty"`
}

// SchemaViolation is one way a value fails a JSON Schema.
type SchemaViolation struct {
	// Location is the JSON pointer (RFC 6901) of the value at fault within
	// Field's value: "" for the whole of it, "/amount".
	Location string `json:"location"`
	// Keyword is the schema keyword that failed: "minimum", "required", ….
	Keyword string `json:"keyword"`
	Message string `json:"message"`
}

// Endpoint is a webhook subscription as the API shows it. Secret is masked
// except in the answers of create and rotate-secret.
type Endpoint struct {
	ID          int64             `json:"id"`
	Title       string            `json:"title"`
	URL         string            `json:"url"`
	Events      []string          `json:"events"`
	Headers     map[string]string `json:"headers"`
	Description string            `json:"description"`
	Active      bool              `json:"active"`
	MaxRetries  *int              `json:"max_retries"`
	// RateLimitPerSecond is the most requests started to the endpoint per
	// second, across every worker; 0 is unlimited.
	RateLimitPerSecond int    `json:"rate_limit_per_second"`
	SignatureProfile   string `json:"signature_profile"`
	Secret             string `json:"secret"`
	// PreviousSecretExpiresAt is when the secret replaced by the last rotation
	// stops signing requests.
	PreviousSecretExpiresAt *time.Time `json:"previous_secret_expires_at,omitempty"`
	CreatedBy               string     `json:"created_by,omitempty"`
	DisabledReason          string     `json:"disabled_reason"`
	DisabledAt              *time.Time `json:"disabled_at"`
	FailureCount            int        `json:"failure_count"`
	LastDeliveredAt         *time.Time `json:"last_delivered_at"`
	CreatedAt               time.Time  `json:"created_at"`
	UpdatedAt               time.Time  `json:"updated_at"`
	// ProbingSince and NextProbeAt are set while the endpoint, disabled by
	// its health rules, is probed (GET /v1/webhooks/{id}/recovery).
	ProbingSince *time.Time `json:"probing_since"`
	NextProbeAt  *time.Time `json:"next_probe_at"`
	// Verification is the endpoint's proof of ownership.
	Verification EndpointVerification `json:"verification"`
	// TenantID is the endpoint's tenant, "" for none (README, Tenants).
	TenantID string `json:"tenant_id"`
}

// Verification states of an endpoint (EndpointVerification.State).
const (
	// Verified: the endpoint receives its events. Endpoints of
	// WEBHOOK_URLS and of earlier releases are verified without a challenge.
	Verified = "verified"
	// Unverified: the endpoint receives nothing but its challenge until its
	// answer echoes it; its other deliveries wait, pending.
	Unverified = "unverified"
)

// EndpointVerification is an endpoint's ownership state: State is Verified
// or Unverified; VerifiedAt is when an answer echoed a challenge (null for
// an endpoint that never had to); ChallengeSentAt is when the latest
// challenge was made (null when none was).
type EndpointVerification struct {
	State           string     `json:"state"`
	VerifiedAt      *time.Time `json:"verified_at"`
	ChallengeSentAt *time.Time `json:"challenge_sent_at"`
}

// Recovery is the answer of GET /v1/webhooks/{id}/recovery: the endpoint's
// automatic recovery state.
type Recovery struct {
	EndpointID int64 `json:"webhook_id"`
	// ProbingSince is when its health rules disabled it and probing began;
	// null when it is not probed.
	ProbingSince *time.Time `json:"probing_since"`
	// NextProbeAt is when the next probe is due; null when not probed.
	NextProbeAt *time.Time `json:"next_probe_at"`
	// FailedProbes counts the probes that got no 2xx.
	FailedProbes int `json:"failed_probes"`
	// ToRecover counts the deliveries that would be queued again if the
	// endpoint answered 2xx now (0 when recovery is off).
	ToRecover int `json:"to_recover"`
	// Recovering counts the recovered deliveries queued, not sent yet.
	Recovering int `json:"recovering"`
}

// EndpointCreate is the body of POST /v1/webhooks. Only URL is required;
// Active defaults to true and Secret to a generated one.
type EndpointCreate struct {
	Title       string            `json:"title,omitempty"`
	URL         string            `json:"url"`
	Events      []string          `json:"events,omitempty"`
	Headers     map[string]string `json:"headers,omitempty"`
	Description string            `json:"description,omitempty"`
	Active      *bool             `json:"active,omitempty"`
	MaxRetries  *int              `json:"max_retries,omitempty"`
	// RateLimitPerSecond limits the requests started per second (0 to
	// 10000); absent or 0 is unlimited.
	RateLimitPerSecond int    `json:"rate_limit_per_second,omitempty"`
	SignatureProfile   string `json:"signature_profile,omitempty"`
	Secret             string `json:"secret,omitempty"`
	// RequireVerification makes the endpoint prove ownership (answer a
	// webhook.verification challenge) before it receives anything else;
	// absent means HOOKRELAY_REQUIRE_VERIFICATION.
	RequireVerification *bool `json:"require_verification,omitempty"`
	// TenantID puts the endpoint in a tenant, for good: it receives only
	// that tenant's events.
	TenantID string `json:"tenant_id,omitempty"`
}

// EndpointUpdate is the body of PATCH /v1/webhooks/{id}: only the fields
// present change.
type EndpointUpdate struct {
	Title       *string            `json:"title,omitempty"`
	URL         *string            `json:"url,omitempty"`
	Events      *[]string          `json:"events,omitempty"`
	Headers     *map[string]string `json:"headers,omitempty"`
	Description *string            `json:"description,omitempty"`
	Active      *bool              `json:"active,omitempty"`
	MaxRetries  *int               `json:"max_retries,omitempty"`
	// RateLimitPerSecond sets the rate limit; 0 removes it.
	RateLimitPerSecond *int    `json:"rate_limit_per_second,omitempty"`
	SignatureProfile   *string `json:"signature_profile,omitempty"`
	// TenantID, when given, must be the endpoint's tenant: a tenant cannot
	// change (422 on tenant_id otherwise).
	TenantID *string `json:"tenant_id,omitempty"`
}

// EndpointList is a page of endpoints; NextCursor is the "after" value of the
// next page, "" on the last one.
type EndpointList struct {
	Data       []Endpoint `json:"data"`
	NextCursor string     `json:"next_cursor"`
}

// DisableRequest is the optional body of POST /v1/webhooks/{id}/disable.
type DisableRequest struct {
	Reason string `json:"reason,omitempty"`
}

// RotateSecretRequest is the optional body of POST /v1/webhooks/{id}/rotate-secret;
// without a secret a new one is generated.
type RotateSecretRequest struct {
	Secret string `json:"secret,omitempty"`
}

// PingResponse is the answer of POST /v1/webhooks/{id}/ping.
type PingResponse struct {
	EventID    string `json:"event_id"`
	DeliveryID int64  `json:"delivery_id"`
}

// PublishRequest is the body of POST /v1/events. ID defaults to a new UUID;
// EndpointIDs, when given, sends the event to these endpoints (the active
// ones) whatever their subscriptions, and to no other; OrderingKey, when
// given (at most 255 bytes), sends the event to each endpoint after the
// events published before it with the same key (store.Event.OrderingKey).
type PublishRequest struct {
	ID          string          `json:"id,omitempty"`
	Type        string          `json:"type"`
	Data        json.RawMessage `json:"data,omitempty"`
	Priority    int             `json:"priority,omitempty"`
	OrderingKey string          `json:"ordering_key,omitempty"`
	EndpointIDs []int64         `json:"endpoint_ids,omitempty"`
	// TenantID publishes the event in a tenant: only that tenant's
	// endpoints get it (none of another tenant may be in EndpointIDs).
	TenantID string `json:"tenant_id,omitempty"`
}

// PublishResponse is the answer of POST /v1/events: 202 with the deliveries
// created, or 200 with the existing event when its ID was published before.
type PublishResponse struct {
	EventID    string `json:"event_id"`
	Created    bool   `json:"created"`
	Deliveries int    `json:"deliveries"`
	Event      Event  `json:"event"`
}

// Event is one published event; OrderingKey is "" for an event without one.
type Event struct {
	ID          string          `json:"id"`
	Type        string          `json:"type"`
	Data        json.RawMessage `json:"data"`
	Priority    int             `json:"priority"`
	OrderingKey string          `json:"ordering_key"`
	CreatedAt   time.Time       `json:"created_at"`
	// TenantID is the event's tenant, "" for none.
	TenantID string `json:"tenant_id"`
}

// EventList is a page of events, newest first; NextCursor is the "cursor"
// value of the next page (opaque), "" on the last one.
type EventList struct {
	Data       []Event `json:"data"`
	NextCursor string  `json:"next_cursor"`
}

// EventDetail is the answer of GET /v1/events/{id}: the event and its deliveries.
type EventDetail struct {
	Event
	Deliveries []Delivery `json:"deliveries"`
}

// Delivery is one event on its way to one endpoint, as lists show it.
// AttemptCount is the number of attempts made (store.Delivery.AttemptsMade),
// at most MaxRetries+1; RetryCount is the 0-based number of the current or
// last attempt; MaxRetries is the retries allowed after the first attempt;
// NextRetryAt is when a pending delivery's next attempt is due, nil in every
// other status; OrderingKey is its event's, "" for none.
type Delivery struct {
	ID             int64      `json:"id"`
	EndpointID     int64      `json:"webhook_id"`
	EventID        string     `json:"event_id"`
	EventType      string     `json:"event_type"`
	Status         string     `json:"status"`
	AttemptCount   int        `json:"attempt_count"`
	RetryCount     int        `json:"retry_count"`
	MaxRetries     int        `json:"max_retries"`
	Priority       int        `json:"priority"`
	OrderingKey    string     `json:"ordering_key"`
	CreatedAt      time.Time  `json:"created_at"`
	ScheduledFor   time.Time  `json:"scheduled_for"`
	ProcessedAt    *time.Time `json:"processed_at"`
	NextRetryAt    *time.Time `json:"next_retry_at"`
	ResponseStatus *int       `json:"response_status"`
	LastError      string     `json:"last_error"`
	// RecoveredAt is when the delivery was queued again because its
	// endpoint came back; RecoveryReason then says so. Null and "" when it
	// never was.
	RecoveredAt    *time.Time `json:"recovered_at"`
	RecoveryReason string     `json:"recovery_reason"`
	// TenantID is the tenant of the delivery's endpoint, "" for none.
	TenantID string `json:"tenant_id"`
}

// MaxAttempts is the most attempts the delivery may make: MaxRetries + 1.
func (d Delivery) MaxAttempts() int { return d.MaxRetries + 1 }

// DeliveryDetail is the answer of GET /v1/deliveries/{id}: the delivery with
// its payload, the record of its last request and every attempt.
type DeliveryDetail struct {
	Delivery
	Payload         json.RawMessage   `json:"payload"`
	RequestHeaders  map[string]string `json:"request_headers"`
	ResponseHeaders map[string]string `json:"response_headers"`
	ResponseBody    string            `json:"response_body"`
	Attempts        []Attempt         `json:"attempts"`
}

// Attempt is the record of one HTTP request of a delivery.
type Attempt struct {
	Attempt         int               `json:"attempt"`
	StartedAt       time.Time         `json:"started_at"`
	DurationMS      int64             `json:"duration_ms"`
	RequestHeaders  map[string]string `json:"request_headers"`
	ResponseStatus  *int              `json:"response_status"`
	ResponseHeaders map[string]string `json:"response_headers"`
	ResponseBody    string            `json:"response_body"`
	Error           string            `json:"error"`
}

// DeliveryList is a page of deliveries, newest first; NextCursor is the
// "cursor" value of the next page, "" on the last one.
type DeliveryList struct {
	Data       []Delivery `json:"data"`
	NextCursor string     `json:"next_cursor"`
}

// ReplayRequest is the body of POST /v1/deliveries/replay: every failed or
// cancelled delivery that matches all the given fields is made due now.
type ReplayRequest struct {
	EndpointID    *int64     `json:"webhook_id,omitempty"` // absent: any; given: a positive ID
	EventType     string     `json:"event_type,omitempty"`
	EventID       string     `json:"event_id,omitempty"`
	CreatedAfter  *time.Time `json:"created_after,omitempty"`
	CreatedBefore *time.Time `json:"created_before,omitempty"`
	TenantID      string     `json:"tenant_id,omitempty"` // absent: any tenant
}

// EndpointIDOf is id as ReplayRequest.EndpointID: nil (any endpoint) for 0.
func EndpointIDOf(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// ReplayResponse is the answer of POST /v1/deliveries/replay.
type ReplayResponse struct {
	Replayed int `json:"replayed"`
}

// Health is the answer of GET /healthz and GET /readyz when all is well.
type Health struct {
	Status string `json:"status"`
}
