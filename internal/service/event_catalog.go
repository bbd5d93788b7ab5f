package service

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/hookrelay/hookrelay/internal/store"
)

// DefaultCatalogRefresh is how old the service's copy of the event-type
// catalog may grow before a publish reads it again, when
// Options.CatalogRefresh is zero: a change that another process makes
// reaches this one's publishes within it.
const DefaultCatalogRefresh = 2 * time.Second

// compiledSchema is a catalogued schema compiled, or why it does not
// compile (a row written by another program than the service).
type compiledSchema struct {
	text   string
	schema *jsonschema.Schema
	// doc is the schema parsed, for the cost walk of validateData; nil
	// when schema is.
	doc     *schemaDoc
	invalid []Violation
	err     error
}

// compile compiles schema into a compiledSchema.
func compile(schema []byte) compiledSchema {
	sch, doc, invalid, err := compileSchema(schema)
	return compiledSchema{text: string(schema), schema: sch, doc: doc, invalid: invalid, err: err}
}

// catalogEntry is what publishing needs of a catalogued type.
type catalogEntry struct {
	name string
	// schema is nil for a type without one.
	schema *compiledSchema
}

// catalogSnapshot is the catalog as read at one time.
type catalogSnapshot struct {
	readAt time.Time
	types  map[string]catalogEntry
	// stale is set when the service changed the catalog since readAt: the
	// snapshot is read again before its next use, its compiled schemas
	// reused where the schema did not change.
	stale bool
}

// catalog is the service's copy of the event-type catalog, so that
// publishing reads the database for it at most once per refresh interval,
// never per event, and compiles each schema once. The service's own changes
// drop the copy at once (invalidate); those of other processes are read
// when the copy is older than refresh. Services copied from one another
// (WithMaxDataBytes) share it.
type catalog struct {
	st      store.Store
	refresh time.Duration
	now     func() time.Time
	// mu serialises reads of the database and invalidations, so that a read
	// that began before a change never replaces the invalidation that
	// follows the change.
	mu   sync.Mutex
	snap atomic.Pointer[catalogSnapshot]
}

// lookup returns the catalog entry of type name, and whether it is
// catalogued, reading the catalog again when the copy is missing or stale.
func (c *catalog) lookup(ctx context.Context, name string) (catalogEntry, bool, error) {
	snap := c.snap.Load()
	if !c.fresh(snap) {
		var err error
		if snap, err = c.read(ctx); err != nil {
			return catalogEntry{}, false, err
		}
	}
	e, ok := snap.types[name]
	return e, ok, nil
}

// fresh reports whether snap may be used still.
func (c *catalog) fresh(snap *catalogSnapshot) bool {
	return snap != nil && !snap.stale && c.now().Sub(snap.readAt) < c.refresh
}

// read reads the catalog from the database, unless another caller did
// meanwhile, and keeps the schemas compiled before that did not change.
func (c *catalog) read(ctx context.Context) (*catalogSnapshot, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	prev := c.snap.Load()
	if c.fresh(prev) {
		return prev, nil
	}
	readAt := c.now()
	types, err := c.st.ListEventTypes(ctx, store.EventTypeFilter{})
	if err != nil {
		return nil, fmt.Errorf("read the event-type catalog: %w", err)
	}
	next := &catalogSnapshot{readAt: readAt, types: make(map[string]catalogEntry, len(types))}
	for _, t := range types {
		e := catalogEntry{name: t.Name}
		if len(t.Schema) > 0 {
			if old, ok := prev.entry(t.Name); ok && old.schema != nil && old.schema.text == string(t.Schema) {
				e.schema = old.schema
			} else {
				compiled := compile(t.Schema)
				e.schema = &compiled
			}
		}
		next.types[t.Name] = e
	}
	c.snap.Store(next)
	return next, nil
}

// entry is the entry of name in snap, which may be nil.
func (snap *catalogSnapshot) entry(name string) (catalogEntry, bool) {
	if snap == nil {
		return catalogEntry{}, false
	}
	e, ok := snap.types[name]
	return e, ok
}

// invalidate marks the copy stale, after a change of this process, so
// that the next publish reads the catalog again.
func (c *catalog) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if snap := c.snap.Load(); snap != nil {
		c.snap.Store(&catalogSnapshot{readAt: snap.readAt, types: snap.types, stale: true})
	}
}

// checkCatalog checks ev, normalized, against the catalog: an uncatalogued
// type is refused when Options.RequireEventTypes is set, and the data of a
// type with a schema must match it. Types that hookrelay sends itself pass.
func (s *Service) checkCatalog(ctx context.Context, ev store.Event) error {
	if internalEventTypes[ev.Type] {
		return nil
	}
	e, ok, err := s.catalog.lookup(ctx, ev.Type)
	switch {
	case err != nil:
		return err
	case !ok && s.opts.RequireEventTypes:
		return &FieldError{Field: FieldType, Message: fmt.Sprintf("%q is not in the event-type catalog, and only catalogued types may be published (HOOKRELAY_REQUIRE_EVENT_TYPES)", ev.Type)}
	case !ok || e.schema == nil:
		return nil
	case e.schema.schema == nil:
		return &FieldError{Field: FieldType, Message: fmt.Sprintf("the catalogued schema of %q does not compile; fix it with PATCH /v1/event-types/%s", ev.Type, ev.Type)}
	}
	vs, err := validateData(e.schema, ev.Data)
	if errors.Is(err, errTooComplex) {
		return &FieldError{Field: FieldData, Message: fmt.Sprintf("data too complex to check against the schema of %q: more than %d schema evaluations", ev.Type, MaxSchemaVisits)}
	}
	if err != nil {
		return fmt.Errorf("event type %q: %w", ev.Type, err)
	}
	if len(vs) > 0 {
		return violationsError(FieldData, "", vs)
	}
	return nil
}
