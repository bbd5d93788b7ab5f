package service

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hookrelay/hookrelay/internal/store"
)

// ErrInvalid is matched (errors.Is) by every validation error of the
// service: each *FieldError and *SizeError, alone or joined.
var ErrInvalid = errors.New("invalid")

// Fields that a *FieldError names, as the HTTP API spells them on the wire
// (but for FieldEndpointID, which the API calls webhook_id).
const (
	// Endpoint fields.
	FieldTitle       = "title"
	FieldURL         = "url"
	FieldEvents      = "events" // also the events of a batch publish (how many)
	FieldHeaders     = "headers"
	FieldDescription = "description"
	FieldMaxRetries  = "max_retries"
	FieldRateLimit   = "rate_limit_per_second"
	FieldProfile     = "signature_profile"
	FieldSecret      = "secret"
	// FieldTenantID is the tenant of an endpoint or an event.
	FieldTenantID = "tenant_id"
	// FieldReason is the reason of a disable.
	FieldReason = "reason"

	// Event fields of a publish.
	FieldID          = "id"
	FieldType        = "type"
	FieldData        = "data"
	FieldPriority    = "priority"
	FieldOrderingKey = "ordering_key"
	FieldEndpointIDs = "endpoint_ids"

	// Event type fields of the catalog (FieldDescription too).
	FieldName    = "name"
	FieldSchema  = "schema"
	FieldExample = "example"

	// Filter fields of a replay.
	FieldEndpointID = "endpoint_id"
	FieldEventType  = "event_type"
	FieldEventID    = "event_id"
)

// FieldError is a validation failure of one input field. Several are joined
// with errors.Join, at most one per Path, in the order the fields are
// checked; errors.As finds the first. Every FieldError matches ErrInvalid.
type FieldError struct {
	// Field is one of the Field constants.
	Field string
	// Key names the element at fault of a list or map field: the index of an
	// events or endpoint_ids entry ("1"), the name of a header ("X-Tenant");
	// empty when the field as a whole is at fault.
	Key string
	// Message says what is wrong, without the field's name.
	Message string
	// Violations, for a value that fails a JSON Schema (event data against
	// its type's schema, a schema against its meta-schema), lists how:
	// Message names the first.
	Violations []Violation
}

// Path is the field and its element as the HTTP API names them: "url",
// "events[1]", "endpoint_ids[0]", "headers.X-Tenant".
func (e *FieldError) Path() string {
	switch {
	case e.Key == "":
		return e.Field
	case e.Field == FieldHeaders:
		return e.Field + "." + e.Key
	}
	return e.Field + "[" + e.Key + "]"
}

// Error is the path and the message: "url: is required".
func (e *FieldError) Error() string { return e.Path() + ": " + e.Message }

// Is makes every FieldError match ErrInvalid.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

// SizeError refuses a value above a size limit (event data above
// Options.MaxDataBytes; the HTTP API answers 413). It matches ErrInvalid.
type SizeError struct {
	// Field is one of the Field constants (FieldData).
	Field string
	// Limit is the most bytes the field may hold.
	Limit int64
}

// Error says which field exceeds which limit.
func (e *SizeError) Error() string {
	return fmt.Sprintf("%s is larger than %d bytes", e.Field, e.Limit)
}

// Is makes every SizeError match ErrInvalid.
func (e *SizeError) Is(target error) bool { return target == ErrInvalid }

// conflict is a refusal that the current state of a row explains; it
// matches store.ErrConflict.
type conflict struct{ msg string }

func (e *conflict) Error() string        { return e.msg }
func (e *conflict) Is(target error) bool { return target == store.ErrConflict }

// Refusals of a change that the endpoint's or delivery's current state does
// not allow. Each matches store.ErrConflict too; the service returns them
// wrapped with the row's ID ("endpoint 4: …", "delivery 7 is …").
var (
	// ErrConfigURL refuses a change to the URL of an endpoint that
	// WEBHOOK_URLS defines (CreatedBy store.ConfigSource). The operator trusts
	// that URL (it may be internal, and is dialled without the SSRF guard);
	// the trust must not pass to another URL, so the URL only changes in
	// WEBHOOK_URLS.
	ErrConfigURL error = &conflict{"its URL is defined by WEBHOOK_URLS and can only be changed there, by the operator (or create a new endpoint)"}
	// ErrConfigRemoved refuses to enable an endpoint that WEBHOOK_URLS
	// defined and the operator has since removed from it: the operator's
	// trust (no SSRF guard) went with it, so it comes back only through
	// WEBHOOK_URLS.
	ErrConfigRemoved error = &conflict{"it was removed from WEBHOOK_URLS, whose endpoints the operator trusts; add its URL back there to enable it (or create a new endpoint)"}
	// ErrEndpointDisabled refuses to ping an endpoint that is not active.
	ErrEndpointDisabled error = &conflict{"is disabled; enable it first"}
	// ErrAlreadyVerified refuses to send a challenge to an endpoint that is
	// verified (or that never had to be: WEBHOOK_URLS, earlier releases).
	ErrAlreadyVerified error = &conflict{"is already verified; only an unverified endpoint is sent a new challenge"}
	// ErrNotRetryable refuses to retry a delivery in flight or delivered.
	ErrNotRetryable error = &conflict{"is in flight or already delivered; only failed, cancelled or pending deliveries can be retried"}
	// ErrNotCancellable refuses to cancel a finished delivery.
	ErrNotCancellable error = &conflict{"is already finished; only pending or processing deliveries can be cancelled"}
)

// fieldErrors collects the FieldErrors of one input, at most one per path.
type fieldErrors struct {
	errs []error
	// failed holds the Field of every error added.
	failed map[string]bool
	paths  map[string]bool
}

// add records e unless its path has an error already.
func (f *fieldErrors) add(e *FieldError) {
	if f.paths == nil {
		f.paths, f.failed = map[string]bool{}, map[string]bool{}
	}
	if f.paths[e.Path()] {
		return
	}
	f.paths[e.Path()], f.failed[e.Field] = true, true
	f.errs = append(f.errs, e)
}

// addf records a FieldError on field (and key), its message formatted.
func (f *fieldErrors) addf(field, key, format string, args ...any) {
	f.add(&FieldError{Field: field, Key: key, Message: fmt.Sprintf(format, args...)})
}

// text records a FieldError when s is not text that both stores keep
// (store.CheckText).
func (f *fieldErrors) text(field, key, s string) {
	if err := store.CheckText(s); err != nil {
		f.add(&FieldError{Field: field, Key: key, Message: err.Error()})
	}
}

// has reports whether field has an error, on any of its elements.
func (f *fieldErrors) has(field string) bool { return f.failed[field] }

// err is the errors collected, joined, or nil.
func (f *fieldErrors) err() error {
	if len(f.errs) == 0 {
		return nil
	}
	return errors.Join(f.errs...)
}

// FromStore is fromStore, for the doors that write through the store
// themselves (the library's Publish and PublishMany in the application's
// transaction), so that the store's refusals match ErrInvalid there too.
func FromStore(err error) error { return fromStore(err) }

// fromStore turns a *store.FieldError (the store's rules for events:
// Event.Normalize, CheckPublishMany) into a *FieldError, and returns other
// errors as they are.
func fromStore(err error) error {
	var sfe *store.FieldError
	if !errors.As(err, &sfe) {
		return err
	}
	field, key := sfe.Field, ""
	if name, index, ok := strings.Cut(strings.TrimSuffix(field, "]"), "["); ok {
		field, key = name, index
	}
	return &FieldError{Field: field, Key: key, Message: sfe.Message}
}
