package store

import "slices"

// PublishTarget is an endpoint that a published event goes to, with the
// retry budget of its delivery.
type PublishTarget struct {
	EndpointID int64
	MaxRetries int
}

// FanOut picks the targets of an event of eventType among active, the active
// endpoints that the store selected (at least those of opts.EndpointIDs when
// it is not empty, else all; a batch selects the union of its events'), in
// their order. With opts.EndpointIDs every one of them that is active is a
// target, whatever it subscribes to: an explicit target is the caller's
// choice. Without, subscriptions decide (Endpoint.Subscribes). A target's
// retry budget is its endpoint's MaxRetries, or else opts.MaxRetries.
// Only endpoints of tenant (the event's, "" for none) are targets; the
// stores select only those already, in SQL.
func FanOut(active []Endpoint, eventType, tenant string, opts PublishOptions) []PublishTarget {
	targets := make([]PublishTarget, 0, len(active))
	for _, e := range active {
		if e.TenantID != tenant ||
			len(opts.EndpointIDs) == 0 && !e.Subscribes(eventType) ||
			len(opts.EndpointIDs) > 0 && !slices.Contains(opts.EndpointIDs, e.ID) {
			continue
		}
		retries := opts.MaxRetries
		if e.MaxRetries != nil {
			retries = *e.MaxRetries
		}
		targets = append(targets, PublishTarget{EndpointID: e.ID, MaxRetries: retries})
	}
	return targets
}
