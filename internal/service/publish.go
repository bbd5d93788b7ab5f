package service

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/tracecontext"
)

// maxTargetEndpoints bounds the EndpointIDs of one publish.
const maxTargetEndpoints = 100

// PublishRequest is one event to publish.
type PublishRequest struct {
	// Event is the event: ID empty means a new one, Data empty means {}
	// (store.Event.Normalize says the rules); Priority must fit 32 bits.
	Event store.Event
	// EndpointIDs, when not empty, names the targets (store.PublishOptions);
	// at most 100, each an existing endpoint.
	EndpointIDs []int64
}

// Prepare checks req and returns what to publish, with its defaults, the
// service's retry budget and the trace context of the span in ctx (the
// publisher's: each attempt continues its trace), without writing anything: for a door that writes
// in a transaction of its own (the library's outbox). Publish is Prepare
// and the store's Publish. A refusal is a *FieldError, or a *SizeError for
// data above Options.MaxDataBytes. An event of a catalogued type with a
// schema must have data valid against it (a *FieldError on FieldData with
// the Violations), and with Options.RequireEventTypes its type must be
// catalogued (see checkCatalog). Only the existence of EndpointIDs, the store's
// TenantFormat, and the catalog when the service's copy is stale (Options.CatalogRefresh), read
// the store.
// Explicit targets of another tenant than the event's are refused by the
// store when it writes (store.ForeignEndpointsError, a *FieldError on
// FieldEndpointIDs).
func (s *Service) Prepare(ctx context.Context, req PublishRequest) (store.Publication, error) {
	return s.prepare(ctx, req, map[int64]bool{})
}

// prepare is Prepare, with known caching which endpoint IDs exist across
// the events of a batch.
func (s *Service) prepare(ctx context.Context, req PublishRequest, known map[int64]bool) (store.Publication, error) {
	if s.opts.MaxDataBytes > 0 && int64(len(req.Event.Data)) > s.opts.MaxDataBytes {
		return store.Publication{}, &SizeError{Field: FieldData, Limit: s.opts.MaxDataBytes}
	}
	ev := store.Event{ID: req.Event.ID, Type: req.Event.Type, Data: req.Event.Data, Priority: req.Event.Priority, OrderingKey: req.Event.OrderingKey}
	ev.TraceParent, ev.TraceState = tracecontext.Of(ctx)
	if err := ev.Normalize(); err != nil {
		return store.Publication{}, fromStore(err)
	}
	tenant, err := s.tenantID(ctx, req.Event.TenantID)
	if err != nil {
		return store.Publication{}, err
	}
	ev.TenantID = tenant
	if ev.Priority < math.MinInt32 || ev.Priority > math.MaxInt32 {
		return store.Publication{}, &FieldError{Field: FieldPriority, Message: "is out of the 32-bit integer range"}
	}
	if err := s.checkCatalog(ctx, ev); err != nil {
		return store.Publication{}, err
	}
	if err := s.checkEndpointIDs(ctx, req.EndpointIDs, known); err != nil {
		return store.Publication{}, err
	}
	return store.Publication{Event: ev, Options: store.PublishOptions{MaxRetries: s.opts.DefaultMaxRetries, EndpointIDs: req.EndpointIDs}}, nil
}

// checkEndpointIDs refuses targets that do not exist, so that a typo is not
// silently an event without deliveries. known remembers the IDs looked up.
func (s *Service) checkEndpointIDs(ctx context.Context, ids []int64, known map[int64]bool) error {
	if len(ids) > maxTargetEndpoints {
		return &FieldError{Field: FieldEndpointIDs, Message: fmt.Sprintf("at most %d endpoints are allowed", maxTargetEndpoints)}
	}
	for i, id := range ids {
		key := strconv.Itoa(i)
		if id <= 0 {
			return &FieldError{Field: FieldEndpointIDs, Key: key, Message: "must be a positive integer"}
		}
		exists, looked := known[id]
		if !looked {
			_, err := s.store.GetEndpoint(ctx, id)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("check endpoint %d: %w", id, err)
			}
			exists = err == nil
			known[id] = exists
		}
		if !exists {
			return &FieldError{Field: FieldEndpointIDs, Key: key, Message: fmt.Sprintf("webhook %d does not exist", id)}
		}
	}
	return nil
}

// Publish checks req (Prepare) and records the event and its deliveries in
// a transaction of their own. Publishing an ID that exists writes nothing
// and returns the stored event with Created false.
//
// The publish is a PRODUCER span, child of the span in ctx, whose context
// the event stores: each attempt of its deliveries is a child of it.
func (s *Service) Publish(ctx context.Context, req PublishRequest) (_ store.PublishResult, err error) {
	ctx, span := s.tracer.Start(ctx, "hookrelay.publish", trace.WithSpanKind(trace.SpanKindProducer))
	defer func() { endPublish(span, err) }()
	pub, err := s.Prepare(ctx, req)
	if err != nil {
		return store.PublishResult{}, err
	}
	res, err := s.store.Publish(ctx, pub.Event, pub.Options)
	if err != nil {
		// The store's error says "publish event" already.
		return store.PublishResult{}, fromStore(err)
	}
	if span.IsRecording() {
		span.SetAttributes(attribute.String("hookrelay.event.id", res.Event.ID),
			attribute.String("hookrelay.event.type", res.Event.Type),
			attribute.Int("hookrelay.deliveries", res.Deliveries),
			attribute.Bool("hookrelay.created", res.Created))
	}
	return res, nil
}

// endPublish ends the span of a publish, with status Error when err is
// not nil.
func endPublish(span trace.Span, err error) {
	if err != nil {
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

// PrepareMany checks a batch as a whole, for a door that writes it in a
// transaction of its own: 1 to store.MaxPublishMany requests (a *FieldError
// on FieldEvents otherwise), each checked by Prepare. The first refused
// request fails the batch, its error wrapped with its index ("events[2]:
// type: is required").
func (s *Service) PrepareMany(ctx context.Context, reqs []PublishRequest) ([]store.Publication, error) {
	if err := store.CheckPublishMany(len(reqs)); err != nil {
		return nil, fromStore(err)
	}
	known := map[int64]bool{}
	pubs := make([]store.Publication, len(reqs))
	for i, req := range reqs {
		pub, err := s.prepare(ctx, req, known)
		if err != nil {
			return nil, fmt.Errorf("events[%d]: %w", i, err)
		}
		pubs[i] = pub
	}
	return pubs, nil
}

// PublishMany publishes 1 to store.MaxPublishMany requests (a *FieldError
// on FieldEvents otherwise, and nothing written) in one transaction and
// returns one result per request, in order. A request that Prepare refuses
// gets its error (*FieldError, *SizeError) in its result and the others are
// written still; an ID that exists, or that an earlier request has, writes
// nothing. Any other error fails the whole batch, which writes nothing.
//
// The batch is one PRODUCER span (its event count in hookrelay.batch.size),
// whose context every event of it stores.
func (s *Service) PublishMany(ctx context.Context, reqs []PublishRequest) (_ []store.PublicationResult, err error) {
	ctx, span := s.tracer.Start(ctx, "hookrelay.publish_many", trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(attribute.Int("hookrelay.batch.size", len(reqs))))
	defer func() { endPublish(span, err) }()
	if err := store.CheckPublishMany(len(reqs)); err != nil {
		return nil, fromStore(err)
	}
	results := make([]store.PublicationResult, len(reqs))
	pubs := make([]store.Publication, 0, len(reqs))
	at := make([]int, 0, len(reqs)) // the index in reqs of each of pubs
	known := map[int64]bool{}
	for i, req := range reqs {
		pub, err := s.prepare(ctx, req, known)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				return nil, err
			}
			results[i].Err = err
			continue
		}
		pubs = append(pubs, pub)
		at = append(at, i)
	}
	if len(pubs) == 0 {
		return results, nil
	}
	published, err := s.store.PublishMany(ctx, pubs)
	if err != nil {
		return nil, fmt.Errorf("publish %d events: %w", len(pubs), err)
	}
	for j, p := range published {
		p.Err = fromStore(p.Err)
		results[at[j]] = p
	}
	return results, nil
}
