// Package store defines the durable queue and endpoint registry that hookrelay
// runs on: the Store interface, the domain types it speaks in, and the rules
// (event matching, delivery states, outcome batches, endpoint health) that
// every implementation shares.
//
// Two implementations live below it: store/postgres (production, several
// processes on one database) and store/sqlite (embedded, one node). Both pass
// the conformance suite in store/storetest.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/hookrelay/hookrelay/signature"
)

// Sentinel errors that callers decide on.
var (
	// ErrNotFound reports that the requested row does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict reports that a change is not allowed in the row's current state,
	// for example cancelling a delivery that was already delivered.
	ErrConflict = errors.New("conflict")
)

// Status is the state of one delivery in its life cycle.
type Status string

// The delivery states of the seed's CHECK constraint.
const (
	StatusPending    Status = "pending"
	StatusProcessing Status = "processing"
	StatusDelivered  Status = "delivered"
	StatusFailed     Status = "failed"
	StatusCancelled  Status = "cancelled"
)

// Valid reports whether s is one of the known states.
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusProcessing, StatusDelivered, StatusFailed, StatusCancelled:
		return true
	}
	return false
}

// Store is the durable state of hookrelay: endpoints, events and the delivery
// queue. Every method is safe for concurrent use.
type Store interface {
	// Migrate applies the embedded schema migrations that are not applied yet.
	Migrate(ctx context.Context) error
	// MigrationsCurrent reports whether every embedded migration is applied.
	MigrationsCurrent(ctx context.Context) (bool, error)
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// CheckWritable commits a write that changes no value (WriteProbe), so
	// that a database that answers but cannot write, read-only or full, is
	// found (Unavailable then holds for the error).
	CheckWritable(ctx context.Context) error
	// Close releases the store's connections.
	Close() error

	// CreateEndpoint inserts a new endpoint and returns it with its ID and times.
	CreateEndpoint(ctx context.Context, e Endpoint) (Endpoint, error)
	// GetEndpoint returns one endpoint or ErrNotFound.
	GetEndpoint(ctx context.Context, id int64) (Endpoint, error)
	// ListEndpoints returns endpoints ordered by ID, filtered and paginated.
	ListEndpoints(ctx context.Context, f EndpointFilter) ([]Endpoint, error)
	// UpdateEndpoint writes the fields that p sets to endpoint id, and only
	// those (see EndpointPatch), in one statement, and returns the stored row
	// or ErrNotFound.
	UpdateEndpoint(ctx context.Context, id int64, p EndpointPatch) (Endpoint, error)
	// NewChallenge makes endpoint id unverified, waiting for the challenge
	// of event eventID (ChallengeEventID eventID, ChallengeSentAt now,
	// VerifiedAt nil), cancels the deliveries of its previous challenge that
	// are still pending (the old challenge no longer counts), and returns the
	// stored row or ErrNotFound. It also ends the endpoint's probing (see
	// ProbeState): an unverified endpoint is never probed. The caller then
	// publishes the challenge event eventID to the endpoint.
	NewChallenge(ctx context.Context, id int64, eventID string) (Endpoint, error)
	// DeleteEndpoint removes an endpoint and, by cascade, its deliveries.
	DeleteEndpoint(ctx context.Context, id int64) error
	// SyncConfigEndpoints makes the endpoints created from configuration
	// (CreatedBy == ConfigSource) match urls: missing ones are added, existing ones
	// get the secret and are re-activated, others are deactivated.
	SyncConfigEndpoints(ctx context.Context, urls []string, secret string) error

	// Publish records ev and one pending delivery per target, atomically: each
	// active endpoint of opts.EndpointIDs, whatever it subscribes to, or
	// without EndpointIDs each active endpoint that subscribes to ev.Type (see
	// FanOut). Publishing an ID that exists creates nothing and returns the
	// stored event with Created false. The deliveries of events with one
	// OrderingKey get IDs in the order their publishes commit (the order
	// Claim sends them in).
	Publish(ctx context.Context, ev Event, opts PublishOptions) (PublishResult, error)
	// PublishMany publishes each of pubs as Publish would, all in one
	// transaction, and returns one result per publication, in order. An
	// event that Event.Normalize refuses gets its error in its result and the
	// others are written still; an ID that exists, or that an earlier
	// publication of pubs has, creates nothing. A database error fails the
	// whole call and writes nothing. At most MaxPublishMany publications.
	PublishMany(ctx context.Context, pubs []Publication) ([]PublicationResult, error)
	// GetEvent returns one event or ErrNotFound.
	GetEvent(ctx context.Context, id string) (Event, error)
	// ListEvents returns the events that match f, newest first (created_at,
	// then ID, both descending), after f.Before when set, at most f.Limit.
	ListEvents(ctx context.Context, f EventFilter) ([]Event, error)

	// Claim leases up to limit due deliveries (status pending, scheduled_for
	// reached, endpoint active) in priority DESC, scheduled_for ASC order, marks
	// them processing and returns them with what is needed to send them.
	//
	// A delivery of an unverified endpoint is due only when it is the
	// delivery of the endpoint's current challenge (see
	// EndpointVerification); the others wait, pending, no attempt counted.
	//
	// A delivery with an OrderingKey is due only when no delivery of the same
	// endpoint and key with a lower ID is pending or processing (whatever its
	// scheduled_for): for one endpoint and key, one delivery at a time is
	// claimed, in ID order, and the next only once the one before is
	// delivered, failed or cancelled.
	//
	// The chosen deliveries of an endpoint with a rate limit take their
	// tokens in the same transaction (see RateState.Take); those over the
	// limit stay pending with scheduled_for and next_retry_at at their token
	// time, no attempt counted, and are not returned; the room they leave is
	// claimed again at once (ClaimInRounds).
	Claim(ctx context.Context, c ClaimRequest) ([]Claimed, error)
	// Complete records the outcomes of claimed deliveries in one batch, in one
	// transaction; an outcome with an unknown Result fails the whole batch.
	// The endpoints with a rate limit of the applied outcomes that ask to
	// slow down (SlowDownEndpoints) have their rate lowered
	// (RateState.SlowDown).
	//
	// An outcome applies only while its lease holds: the delivery is
	// processing, held by Lease.Worker at Lease.RetryCount (not cancelled, nor
	// rescued and claimed again). Otherwise, or when an earlier outcome of the
	// batch is for the same delivery (see FirstOutcomes), it is skipped: not
	// counted in Applied, its attempt not recorded, its DisableEndpoint
	// ignored. An applied outcome
	//   - ResultDelivered: makes the delivery delivered with ProcessedAt now;
	//   - ResultRetry: makes it pending with RetryCount + 1 and ScheduledFor
	//     and NextRetryAt = RetryAt (now when RetryAt is zero), ProcessedAt nil;
	//   - ResultFailed: makes it failed with ProcessedAt now;
	//
	// clears the lease, copies the attempt's request headers, response status,
	// headers and body, and error (LastError) into the delivery, and appends
	// the attempt to its attempt log.
	//
	// When health.RecoverWithin > 0, the endpoints that an applied outcome
	// delivered to first have the deliveries that failed for good during
	// their outage recovered (see Recoverer). The endpoints of the applied
	// outcomes then have their health updated as EndpointTally says. Last, an active endpoint of the batch is disabled
	// (Active false, DisabledAt now) with the DisableEndpoint of its first
	// applied outcome that has one, or else health.FailuresReason when its
	// FailureCount >= health.DisableAfterFailures > 0, or else
	// health.FailingForReason when its FailingSince <= now -
	// health.DisableAfterFailingFor > 0; one that those two rules disable
	// (not a DisableEndpoint) is probed when health.ProbeInterval > 0 and
	// it is not Unverified (a probe would send signed pings to a URL whose
	// owner never agreed to them; see ProbeState). Result.Disabled lists the endpoints this call disabled, by
	// ascending ID. An applied outcome with Verifies marks its endpoint
	// verified, in the same transaction (see Outcome.Verifies).
	Complete(ctx context.Context, outcomes []Outcome, health HealthPolicy) (CompleteResult, error)
	// Release hands claimed deliveries back to pending without counting an
	// attempt, as a worker does when it shuts down before sending them.
	Release(ctx context.Context, leases []Lease) error
	// RescueExpired returns deliveries whose lease expired more than
	// olderThan ago (0: any expired lease; by the database's clock) to
	// pending, counting the lost attempt, or fails them when that exhausts
	// their retries. Concurrent calls never take one delivery back twice.
	RescueExpired(ctx context.Context, olderThan time.Duration) (int, error)

	// GetDelivery returns one delivery or ErrNotFound.
	GetDelivery(ctx context.Context, id int64) (Delivery, error)
	// ListDeliveries returns deliveries newest first, filtered and paginated.
	ListDeliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, error)
	// ListAttempts returns every attempt of one delivery, oldest first.
	ListAttempts(ctx context.Context, deliveryID int64) ([]Attempt, error)
	// RetryDelivery makes a failed, cancelled or pending delivery due now.
	// It returns ErrConflict for a delivery in flight or already delivered.
	RetryDelivery(ctx context.Context, id int64) (Delivery, error)
	// CancelDelivery cancels a pending or processing delivery; ErrConflict otherwise.
	CancelDelivery(ctx context.Context, id int64) (Delivery, error)
	// ReplayDeliveries makes every failed or cancelled delivery that matches f
	// (ignoring its Status, Cursor and Limit) due now, and returns how many.
	ReplayDeliveries(ctx context.Context, f DeliveryFilter) (int, error)
	// CountByStatus returns the number of deliveries in each status.
	CountByStatus(ctx context.Context) (map[Status]int64, error)
	// DeleteFinishedBefore removes delivered, failed and cancelled deliveries
	// (and events left without deliveries) finished before t, in batches of
	// RetentionBatch rows (see DeleteInBatches); it returns how many
	// deliveries it removed.
	DeleteFinishedBefore(ctx context.Context, t time.Time) (int64, error)
	// TryMaintain tries once, without waiting, to make holder (a name for
	// logs) the one maintainer of the store among every process sharing it.
	// It returns ok false when another holds the maintainership, or else the
	// maintainership, held until it is released, ctx ends or it is lost;
	// ttl bounds how long a loss may go unnoticed by the holder (it is
	// checked every ttl/3) and, where the store keeps a lease (SQLite), how
	// long a holder that died keeps others waiting.
	TryMaintain(ctx context.Context, holder string, ttl time.Duration) (m Maintainership, ok bool, err error)
	// CountDeliveries counts the deliveries created in the window of r, per
	// endpoint, time bucket and status (see DeliveryCountRequest), with
	// GROUP BY in the database: no delivery row is read out. Buckets with
	// no delivery are left out; counts come ordered by endpoint, bucket and
	// status.
	CountDeliveries(ctx context.Context, r DeliveryCountRequest) ([]DeliveryCount, error)

	// Wakeups returns a channel that receives a value soon after deliveries are
	// published (by any process sharing the store, where the store can tell), so
	// that workers need not wait for their next poll. It closes when ctx ends.
	Wakeups(ctx context.Context) <-chan struct{}
	// Deactivations returns a channel that receives the ID of each active
	// endpoint soon after it is disabled (by a person, by Complete's health
	// rules) or deleted, from any process sharing the store where the store
	// can tell, so that workers start no request to it from the deliveries
	// they hold. It receives 0 (no endpoint has that ID) once it is ready,
	// that is once every later deactivation will reach it, and again
	// whenever deactivations may have been missed (its listener reconnected,
	// the receiver fell far behind): the receiver should then check the
	// endpoints it cares about. The channel closes when ctx ends.
	Deactivations(ctx context.Context) <-chan int64

	// CreateEventType adds t to the event-type catalog (its CreatedAt and
	// UpdatedAt are ignored) and returns the stored row; ErrConflict when
	// the catalog holds its name already.
	CreateEventType(ctx context.Context, t EventType) (EventType, error)
	// GetEventType returns the catalogued type name or ErrNotFound.
	GetEventType(ctx context.Context, name string) (EventType, error)
	// ListEventTypes returns the catalogued types that match f by ascending
	// name (byte order), at most f.Limit.
	ListEventTypes(ctx context.Context, f EventTypeFilter) ([]EventType, error)
	// UpdateEventType writes the fields that p sets to type name, and only
	// those, moves UpdatedAt forward, and returns the stored row or
	// ErrNotFound; ErrConflict when p.IfUpdatedAt is set and the stored
	// UpdatedAt is another.
	UpdateEventType(ctx context.Context, name string, p EventTypePatch) (EventType, error)
	// DeleteEventType removes type name from the catalog (events of that
	// type are kept); ErrNotFound when there is none.
	DeleteEventType(ctx context.Context, name string) error

	// Recoverer probes health-disabled endpoints and recovers deliveries.
	Recoverer

	// TenantFormat reports the rule of the store's tenant IDs (see
	// TenantFormat): TenantUUID on a PostgreSQL database whose tenant_id
	// columns are Ackify CE's UUIDs, TenantText otherwise. It is read once
	// from the database's catalog, after migrations.
	TenantFormat(ctx context.Context) (TenantFormat, error)

	// CreatePortalSession stores a portal link for p.TenantID, Branding
	// and ExpiresAt (other fields ignored) under the SHA-256 of its token,
	// and returns the stored row.
	CreatePortalSession(ctx context.Context, p PortalSession, tokenHash []byte) (PortalSession, error)
	// EnterPortalSession uses the link whose token hashes to tokenHash, in
	// one statement: when it is unused and has not expired, it is marked
	// used and given the session whose cookie hashes to sessionHash.
	// ErrPortalLinkUsed when the link was used or has expired, ErrNotFound
	// when there is no such link.
	EnterPortalSession(ctx context.Context, tokenHash, sessionHash []byte) (PortalSession, error)
	// GetPortalSession returns the entered session whose cookie hashes to
	// sessionHash and that has not expired, or ErrNotFound.
	GetPortalSession(ctx context.Context, sessionHash []byte) (PortalSession, error)
	// EndPortalSession expires the session whose cookie hashes to
	// sessionHash now (a sign-out); no such session is no error.
	EndPortalSession(ctx context.Context, sessionHash []byte) error
	// DeleteExpiredPortalSessions removes the links and sessions that
	// expired before t and returns how many.
	DeleteExpiredPortalSessions(ctx context.Context, t time.Time) (int64, error)
}

// MaxRetriesLimit is the most retries a delivery may be given (the global
// WEBHOOK_MAX_RETRIES and an endpoint's max_retries alike). Ackify CE's own
// calculate_next_retry_time, which the seed's trigger calls whenever a
// delivery is claimed, overflows PostgreSQL's interval from a retry count of
// about 37; kept below that, a claim on an Ackify database never fails. With
// the default one-hour backoff cap, 35 retries already span about a day and
// a half.
const MaxRetriesLimit = 35

// Signature profiles: which headers an endpoint's requests carry.
const (
	// ProfileStandard sends the X-* headers and the Standard Webhooks headers.
	ProfileStandard = "standard"
	// ProfileAckify sends Ackify CE's wire format: the payload bare, User-Agent
	// Ackify-Webhooks/1.0, X-Ackify-* headers with one signature by the
	// current secret's raw bytes. An endpoint whose SignatureProfile is empty
	// (a row another program inserted) is sent with the configured default.
	ProfileAckify = "ackify"
)

// Endpoint is a subscription: a URL that receives the events it subscribes to.
// It is a row of the seed's webhooks table.
type Endpoint struct {
	ID          int64
	Title       string
	URL         string
	Secret      string
	Active      bool
	Events      []string // exact types, "*", or prefixes such as "document.*"; empty means all
	Headers     map[string]string
	Description string
	CreatedBy   string
	// MaxRetries overrides the global retry budget for this endpoint when set.
	MaxRetries       *int
	SignatureProfile string
	// RateLimitPerSecond caps the requests started to the endpoint, across
	// every worker sharing the store, at this many per second with bursts of
	// at most one second's worth (see RateState.Take); 0 means unlimited.
	RateLimitPerSecond int
	// PreviousSecret still signs requests until PreviousSecretExpiresAt, so that
	// receivers can roll over to a rotated secret without downtime.
	PreviousSecret          string
	PreviousSecretExpiresAt *time.Time
	DisabledReason          string
	DisabledAt              *time.Time
	FailureCount            int
	FailingSince            *time.Time
	LastDeliveredAt         *time.Time
	// Probe is the endpoint's probing state: set when its health rules
	// disabled it (see HealthPolicy.ProbeInterval), cleared when it is
	// re-enabled, or disabled, enabled or stopped by a person.
	Probe     ProbeState
	CreatedAt time.Time
	UpdatedAt time.Time
	// Verification is the endpoint's proof of ownership (see
	// EndpointVerification); the zero value is a verified endpoint.
	Verification EndpointVerification
	// TenantID is the tenant the endpoint belongs to ("" for none; see
	// ValidateTenantID): it receives only the events of that tenant. Set at
	// creation, it never changes. On Ackify CE's database an endpoint
	// created without one takes the session's app.tenant_id.
	TenantID string
}

// VerificationEventType is the type of the event hookrelay sends an
// unverified endpoint to challenge it: its data is {"challenge": "..."}
// (see signature.VerificationEventType).
const VerificationEventType = signature.VerificationEventType

// EndpointVerification is an endpoint's ownership state. An Unverified
// endpoint is sent nothing but the delivery of its current challenge, the
// event ChallengeEventID (see Claim); its other deliveries wait, pending,
// until an answer echoes that challenge (Outcome.Verifies). The zero value,
// the state of every endpoint of an earlier release, of WEBHOOK_URLS and of
// Ackify CE, is verified (trusted by the operator).
type EndpointVerification struct {
	// Unverified is true from the endpoint's creation with verification
	// required, or its NewChallenge, until an answer echoes its challenge.
	Unverified bool
	// VerifiedAt is when an answer echoed a challenge; nil for an endpoint
	// that never had to prove ownership.
	VerifiedAt *time.Time
	// ChallengeEventID is the ID of the event of the latest challenge; ""
	// when none was ever sent.
	ChallengeEventID string
	// ChallengeSentAt is when the latest challenge was made.
	ChallengeSentAt *time.Time
}

// EffectiveProfile is the signature profile the stores write for the
// endpoint: ProfileOr(ProfileStandard).
func (e Endpoint) EffectiveProfile() string {
	return e.ProfileOr(ProfileStandard)
}

// ProfileOr is the signature profile the endpoint is signed with when the
// configured default (HOOKRELAY_SIGNATURE_PROFILE) is defaultProfile: its
// SignatureProfile, or defaultProfile when it names none (a row that Ackify
// CE or WEBHOOK_URLS created), or ProfileStandard when both are empty.
func (e Endpoint) ProfileOr(defaultProfile string) string {
	switch {
	case e.SignatureProfile != "":
		return e.SignatureProfile
	case defaultProfile != "":
		return defaultProfile
	}
	return ProfileStandard
}

// Subscribes reports whether the endpoint wants events of type eventType.
func (e Endpoint) Subscribes(eventType string) bool {
	return MatchEventType(e.Events, eventType)
}

// MatchEventType reports whether a subscription list matches eventType: an empty
// list or "*" matches everything, "a.*" matches every type that starts with "a.",
// and any other entry must equal the type.
func MatchEventType(patterns []string, eventType string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if p == "*" || p == eventType {
			return true
		}
		if prefix, ok := cutWildcard(p); ok && len(eventType) > len(prefix) && eventType[:len(prefix)] == prefix {
			return true
		}
	}
	return false
}

func cutWildcard(p string) (string, bool) {
	if len(p) >= 2 && p[len(p)-2:] == ".*" {
		return p[:len(p)-1], true
	}
	return "", false
}

// EndpointFilter selects endpoints in ListEndpoints.
type EndpointFilter struct {
	Active *bool
	// TenantID, when set, keeps the endpoints of this tenant.
	TenantID string
	AfterID  int64 // return endpoints with ID > AfterID
	Limit    int   // 0 means no limit
}

// Event is one published occurrence: the envelope that every delivery of it sends.
type Event struct {
	ID       string // a UUID
	Type     string
	Data     json.RawMessage
	Priority int
	// OrderingKey, when not empty, orders the event's deliveries: for one
	// endpoint, deliveries of events with the same key are sent one at a
	// time, in publish order (see Claim). At most MaxOrderingKeyLength bytes
	// of text (CheckText).
	OrderingKey string
	CreatedAt   time.Time
	// TraceParent and TraceState are the W3C trace context of the publish
	// (https://www.w3.org/TR/trace-context/): each attempt of the event's
	// deliveries continues that trace, and its request carries it on.
	// Empty when the publisher had none; Normalize keeps only a valid one
	// (see TraceContext).
	TraceParent string
	TraceState  string
	// TenantID is the tenant the event belongs to ("" for none; see
	// ValidateTenantID): it is delivered only to the endpoints of that
	// tenant, and an event without tenant only to endpoints without one.
	// On Ackify CE's database an event published without one takes the
	// session's app.tenant_id, as endpoints do.
	TenantID string
}

// PublishOptions tune one publish.
type PublishOptions struct {
	// MaxRetries is the retry budget of the new deliveries when their endpoint
	// sets none.
	MaxRetries int
	// EndpointIDs, when not empty, names the targets: the event goes to each
	// of these endpoints that is active, whatever its subscriptions (an
	// explicit target is the caller's choice), and to no other. When empty,
	// the event goes to every active endpoint that subscribes to its type.
	// Either way only endpoints of the event's tenant are targets: naming
	// one of another tenant refuses the publish (ForeignEndpointsError).
	EndpointIDs []int64
}

// PublishResult is what Publish did.
type PublishResult struct {
	Event Event
	// Created is false when the event ID existed and nothing was written.
	Created bool
	// Deliveries is the number of deliveries created (0 when Created is false).
	Deliveries int
}

// Delivery is one event on its way to one endpoint: a row of the seed's
// webhook_deliveries table.
type Delivery struct {
	ID         int64
	EndpointID int64
	EventID    string
	EventType  string
	Payload    json.RawMessage
	Status     Status
	RetryCount int
	MaxRetries int
	Priority   int
	// OrderingKey is the event's OrderingKey, copied at publish ("" for
	// none, and for rows another program inserted).
	OrderingKey string
	// RecoveredAt is when the delivery, failed for good during an outage of
	// its endpoint, was queued again because the endpoint came back (see
	// RecoverDeliveries); nil when it never was. Set once, never cleared.
	RecoveredAt *time.Time
	// TenantID is the tenant of the delivery's endpoint, copied at publish.
	TenantID        string
	CreatedAt       time.Time
	ScheduledFor    time.Time
	ProcessedAt     *time.Time
	NextRetryAt     *time.Time
	LeaseExpiresAt  *time.Time
	RequestHeaders  map[string]string
	ResponseStatus  *int
	ResponseHeaders map[string]string
	ResponseBody    string
	LastError       string
}

// DeliveryFilter selects deliveries in ListDeliveries and ReplayDeliveries.
type DeliveryFilter struct {
	EndpointID int64
	// TenantID, when set, keeps the deliveries of this tenant's endpoints.
	TenantID      string
	Status        Status
	EventType     string
	EventID       string
	CreatedAfter  *time.Time
	CreatedBefore *time.Time
	BeforeID      int64 // cursor: return deliveries with ID < BeforeID
	Limit         int   // 0 means no limit
}

// Attempt is the record of one HTTP request of a delivery.
type Attempt struct {
	DeliveryID      int64
	Attempt         int // 1 for the first request
	StartedAt       time.Time
	DurationMS      int64
	RequestHeaders  map[string]string
	ResponseStatus  *int
	ResponseHeaders map[string]string
	ResponseBody    string
	Error           string
}

// ClaimRequest asks Claim for work.
type ClaimRequest struct {
	Limit int
	Lease time.Duration
	// Worker names the claiming process; a lease is held by (delivery, worker,
	// retry_count).
	Worker string
	// SkipEndpoints excludes endpoints whose in-flight cap is reached.
	SkipEndpoints []int64
	// TokenTimes, when not nil, is set by Claim to the times at which the
	// deliveries it deferred for their endpoint's rate limit get their
	// tokens (nil when it deferred none), so that the worker can claim again
	// at each rather than at its next poll.
	TokenTimes *[]time.Time
}

// Lease identifies one claim of one delivery.
type Lease struct {
	DeliveryID int64
	Worker     string
	RetryCount int
}

// Claimed is a leased delivery with its event and endpoint, ready to send.
type Claimed struct {
	Delivery Delivery
	Event    Event
	Endpoint Endpoint
	Lease    Lease
}

// Result is how an attempt ended for the queue.
type Result int

// The results of an attempt.
const (
	// ResultDelivered: the endpoint answered 2xx.
	ResultDelivered Result = iota + 1
	// ResultRetry: a retryable failure; the delivery waits until RetryAt.
	ResultRetry
	// ResultFailed: a permanent failure or the last retry; the delivery ends failed.
	ResultFailed
)

// Outcome is the result of one attempt, written by Complete.
type Outcome struct {
	Lease   Lease
	Result  Result
	RetryAt time.Time // for ResultRetry
	Attempt Attempt
	// DisableEndpoint, when set, disables the delivery's endpoint with this
	// reason (an endpoint answering 410 Gone).
	DisableEndpoint string
	// Verifies, when set, is the ID of the challenge event (see
	// EndpointVerification) whose 2xx answer echoed the challenge: an
	// applied outcome marks its endpoint verified (Unverified false,
	// VerifiedAt now) when that event is still the endpoint's
	// ChallengeEventID, and does nothing otherwise (a newer challenge
	// replaced it).
	Verifies string
	// SlowDown reports that the answer asked to slow down (429, or
	// Retry-After): an applied one lowers the rate of an endpoint that has a
	// rate limit (see RateState.SlowDown). Workers set it only for endpoints
	// with a limit, so that the others never touch the rate state.
	SlowDown bool
}

// HealthPolicy says when Complete disables an endpoint that keeps failing.
// Zero values turn a rule off.
type HealthPolicy struct {
	// DisableAfterFailures disables an endpoint after this many consecutive
	// failed attempts.
	DisableAfterFailures int
	// DisableAfterFailingFor disables an endpoint that has failed without a
	// success for this long.
	DisableAfterFailingFor time.Duration
	// RecoverWithin turns automatic recovery on: when a batch delivers to an
	// endpoint whose FailingSince was set, its deliveries that failed for
	// good during the outage, at most this long ago, are queued again (see
	// RecoverDeliveries). 0 turns it off.
	RecoverWithin time.Duration
	// ProbeInterval turns probing on: an endpoint that the health rules
	// (DisableAfterFailures, DisableAfterFailingFor; not a 410 Gone)
	// disable gets Probe.Since now and Probe.NextAt now + ProbeInterval.
	// 0 leaves it disabled with no probe.
	ProbeInterval time.Duration
}

// CompleteResult reports side effects of Complete.
type CompleteResult struct {
	// Applied is the number of outcomes written (the others had lost their lease).
	Applied int
	// Disabled lists the endpoints that this batch disabled, with the reason.
	Disabled []DisabledEndpoint
}

// DisabledEndpoint names an endpoint disabled by its health.
type DisabledEndpoint struct {
	ID     int64
	Reason string
}
