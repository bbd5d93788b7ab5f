package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/hookrelay/hookrelay/internal/store"
)

// MaxSchemaBytes bounds a catalogued schema and its example, each.
const MaxSchemaBytes = 64 << 10

// internalEventTypes are the types hookrelay sends itself: never refused at
// publish, never checked against the catalog, and not catalogued.
var internalEventTypes = map[string]bool{PingEventType: true, store.VerificationEventType: true}

// CreateEventType checks t (CheckEventType) and adds it to the catalog; a
// name catalogued already is an error matching store.ErrConflict. Publishes
// in this process see it at once, those of other processes within
// Options.CatalogRefresh.
func (s *Service) CreateEventType(ctx context.Context, t store.EventType) (store.EventType, error) {
	if err := CheckEventType(t); err != nil {
		return store.EventType{}, err
	}
	created, err := s.store.CreateEventType(ctx, t)
	s.catalog.invalidate()
	if errors.Is(err, store.ErrConflict) {
		return store.EventType{}, fmt.Errorf("event type %q is catalogued already: %w", t.Name, store.ErrConflict)
	}
	return created, err
}

// updateAttempts bounds the read-check-write rounds of UpdateEventType
// when other updates of the same type keep landing between its read and
// its write.
const updateAttempts = 5

// UpdateEventType applies p to catalogued type name, checking the result as
// CreateEventType does (a new schema must accept the example kept, and a
// new example the schema kept), and returns the stored row; an error
// matching store.ErrNotFound when there is none. The write is conditional
// on the row being the one checked (store.EventTypePatch.IfUpdatedAt): when
// another update lands in between, the update is read and checked again,
// up to updateAttempts times, and is then an error matching
// store.ErrConflict. So two updates at once, one of the schema and one of
// the example, never store an example its schema refuses.
func (s *Service) UpdateEventType(ctx context.Context, name string, p store.EventTypePatch) (store.EventType, error) {
	defer s.catalog.invalidate()
	for range updateAttempts {
		current, err := s.store.GetEventType(ctx, name)
		if err != nil {
			return store.EventType{}, err
		}
		next := current
		if p.Description != nil {
			next.Description = *p.Description
		}
		if p.Schema != nil {
			next.Schema = *p.Schema
		}
		if p.Example != nil {
			next.Example = *p.Example
		}
		if err := CheckEventType(next); err != nil {
			return store.EventType{}, err
		}
		p.IfUpdatedAt = &current.UpdatedAt
		updated, err := s.store.UpdateEventType(ctx, name, p)
		if !errors.Is(err, store.ErrConflict) {
			return updated, err
		}
	}
	return store.EventType{}, fmt.Errorf("event type %q changed %d times while it was being updated; try again: %w", name, updateAttempts, store.ErrConflict)
}

// DeleteEventType removes type name from the catalog (its events are
// kept); an error matching store.ErrNotFound when there is none.
func (s *Service) DeleteEventType(ctx context.Context, name string) error {
	err := s.store.DeleteEventType(ctx, name)
	s.catalog.invalidate()
	return err
}

// EventTypeChoices returns the catalogued types that an endpoint form offers
// for its events filter, by name: the current ones, and the deprecated ones
// too when withDeprecated is set (for the form to mark them).
func (s *Service) EventTypeChoices(ctx context.Context, withDeprecated bool) ([]store.EventType, error) {
	f := store.EventTypeFilter{}
	if !withDeprecated {
		current := false
		f.Deprecated = &current
	}
	types, err := s.store.ListEventTypes(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("event type choices: %w", err)
	}
	return types, nil
}

// CheckEventType checks a catalog entry: a Name that store.ValidateEventType
// accepts, other than "." and ".." (path segments that URLs collapse, so
// that the type could not be read, changed or deleted), and that hookrelay
// does not send itself; a Description of text of
// at most store.MaxEventTypeDescription characters; a Schema, when given,
// that compiles as a self-contained JSON Schema (compileSchema); an
// Example, when given, that is event data (store.CheckEventData) and
// valid against the Schema. Errors are *FieldErrors, joined; a schema or
// example that fails a schema lists its Violations.
func CheckEventType(t store.EventType) error {
	var errs fieldErrors
	if err := store.ValidateEventType(t.Name); err != nil {
		errs.addf(FieldName, "", "%v", err)
	} else if t.Name == "." || t.Name == ".." {
		errs.addf(FieldName, "", "%q cannot be catalogued: URLs collapse it as a path segment, so /v1/event-types/%s would never reach it", t.Name, t.Name)
	} else if internalEventTypes[t.Name] {
		errs.addf(FieldName, "", "%q is sent by hookrelay itself and cannot be catalogued", t.Name)
	}
	if n := utf8.RuneCountInString(t.Description); n > store.MaxEventTypeDescription {
		errs.addf(FieldDescription, "", "is longer than %d characters", store.MaxEventTypeDescription)
	}
	errs.text(FieldDescription, "", t.Description)
	checkJSON := func(field string, j json.RawMessage) bool {
		if len(j) > MaxSchemaBytes {
			errs.addf(field, "", "is larger than %d bytes", MaxSchemaBytes)
			return false
		}
		if err := store.CheckEventData(j); err != nil {
			errs.addf(field, "", "%v", err)
			return false
		}
		return true
	}
	var compiled *compiledSchema
	if len(t.Schema) > 0 && checkJSON(FieldSchema, t.Schema) {
		c := compile(t.Schema)
		loc, key, dup := duplicateKey(t.Schema)
		switch {
		case dup:
			errs.addf(FieldSchema, "", "%shas the key %q twice; a schema is stored as written, so give each key once", locPrefix(loc), key)
		case len(c.invalid) > 0:
			errs.add(violationsError(FieldSchema, "", c.invalid))
		case c.err != nil:
			errs.addf(FieldSchema, "", "%v", c.err)
		default:
			compiled = &c
		}
	}
	if len(t.Example) > 0 && checkJSON(FieldExample, t.Example) && compiled != nil {
		vs, err := validateData(compiled, t.Example)
		switch {
		case errors.Is(err, errTooComplex):
			errs.addf(FieldExample, "", "is %v", err)
		case err != nil:
			errs.addf(FieldExample, "", "%v", err)
		case len(vs) > 0:
			e := violationsError(FieldExample, "", vs)
			e.Message = "does not match the schema: " + e.Message
			errs.add(e)
		}
	}
	return errs.err()
}

// locPrefix is "loc: ", or "" for the whole document (loc "").
func locPrefix(loc string) string {
	if loc == "" {
		return ""
	}
	return loc + ": "
}
