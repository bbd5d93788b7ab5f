package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/hookrelay/hookrelay/internal/mask"
	"github.com/hookrelay/hookrelay/internal/store"
)

// MaskEndpoint returns e as every door shows it to whoever reads it back
// (the API's answers, but for the secret in those of create and rotate; the
// dashboard's pages): its secret masked (mask.Secret), its custom header
// values masked (mask.Headers, names kept), its previous secret dropped and
// that secret's expiry kept only while there is one, and the signature
// profile it is signed with (Profile). The other fields are e's.
func (s *Service) MaskEndpoint(e store.Endpoint) store.Endpoint {
	e.Secret = mask.Secret(e.Secret)
	e.Headers = mask.Headers(e.Headers)
	if e.PreviousSecret == "" {
		e.PreviousSecretExpiresAt = nil
	}
	e.PreviousSecret = ""
	e.SignatureProfile = s.Profile(e)
	return e
}

// SentPayload returns the data that d's requests carry: its event's data,
// kept as published, or the delivery's own payload when no event row exists
// (a row inserted by another program). The doors show it rather than
// d.Payload: the payload column of PostgreSQL is JSONB, which reorders keys
// and rewrites numbers, so it is not what was sent.
func (s *Service) SentPayload(ctx context.Context, d store.Delivery) (json.RawMessage, error) {
	ev, err := s.store.GetEvent(ctx, d.EventID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return d.Payload, nil
	case err != nil:
		return nil, fmt.Errorf("get event of delivery %d: %w", d.ID, err)
	}
	return ev.Data, nil
}

// FieldStatus is the status of a filter of deliveries (CheckDeliveryFilter).
const FieldStatus = "status"

// CheckDeliveryFilter checks a filter of deliveries as a person gave it, for
// the doors that list deliveries (the API's GET /v1/deliveries, the
// dashboard's log): text that both stores keep (store.CheckText) in its
// status, event type and event ID, a status that store.Status knows, and an
// event ID that is a UUID in any of its spellings. It returns f with the
// event ID in its canonical form, or *FieldErrors on FieldStatus,
// FieldEventType and FieldEventID.
func CheckDeliveryFilter(f store.DeliveryFilter) (store.DeliveryFilter, error) {
	var errs fieldErrors
	errs.text(FieldStatus, "", string(f.Status))
	errs.text(FieldEventType, "", f.EventType)
	errs.text(FieldEventID, "", f.EventID)
	if !errs.has(FieldStatus) && f.Status != "" && !f.Status.Valid() {
		errs.addf(FieldStatus, "", "%q is not pending, processing, delivered, failed or cancelled", f.Status)
	}
	if !errs.has(FieldEventID) && f.EventID != "" {
		if id, err := uuid.Parse(f.EventID); err != nil {
			errs.addf(FieldEventID, "", "%q is not a UUID", f.EventID)
		} else {
			f.EventID = id.String()
		}
	}
	if err := errs.err(); err != nil {
		return store.DeliveryFilter{}, err
	}
	return f, nil
}

// FieldErrors returns every *FieldError in err's tree (joined with
// errors.Join, wrapped with %w), in order: what a door that can show
// several at once (the dashboard's forms) needs, where errors.As finds only
// the first. It returns none for nil or for an error that holds none.
func FieldErrors(err error) []*FieldError {
	switch e := err.(type) {
	case nil:
		return nil
	case *FieldError:
		return []*FieldError{e}
	case interface{ Unwrap() []error }:
		var out []*FieldError
		for _, one := range e.Unwrap() {
			out = append(out, FieldErrors(one)...)
		}
		return out
	case interface{ Unwrap() error }:
		return FieldErrors(e.Unwrap())
	}
	return nil
}
