package store

import (
	"cmp"
	"fmt"
	"slices"
)

// AppliedOutcome is an outcome that Complete applied (its lease held), with
// the endpoint of its delivery.
type AppliedOutcome struct {
	Outcome
	EndpointID int64
}

// EndpointTally is what the applied outcomes of one Complete batch do to one
// endpoint's health, as if they came one by one in batch order: a delivered
// outcome sets LastDeliveredAt now, FailureCount 0 and FailingSince nil; a
// retry or failed outcome adds one to FailureCount and sets FailingSince to
// now when it is nil. A store writes a tally in one statement: when
// Delivered, LastDeliveredAt becomes now and FailureCount becomes Failures,
// otherwise FailureCount grows by Failures; FailingSince becomes nil when
// Failures is 0, now when Delivered, and otherwise now when it is nil.
type EndpointTally struct {
	EndpointID int64
	// Delivered reports that some outcome delivered.
	Delivered bool
	// Failures counts the failed attempts after the last delivered one.
	Failures int
	// DisableReason is the DisableEndpoint of the first outcome that has one,
	// "" when none has.
	DisableReason string
}

// TallyEndpoints sums up applied outcomes, taken in batch order, into one
// tally per endpoint, by ascending endpoint ID.
func TallyEndpoints(applied []AppliedOutcome) []EndpointTally {
	byID := make(map[int64]*EndpointTally)
	for _, a := range applied {
		t := byID[a.EndpointID]
		if t == nil {
			t = &EndpointTally{EndpointID: a.EndpointID}
			byID[a.EndpointID] = t
		}
		if a.Result == ResultDelivered {
			t.Delivered, t.Failures = true, 0
		} else {
			t.Failures++
		}
		t.DisableReason = cmp.Or(t.DisableReason, a.DisableEndpoint)
	}
	tallies := make([]EndpointTally, 0, len(byID))
	for _, t := range byID {
		tallies = append(tallies, *t)
	}
	slices.SortFunc(tallies, func(a, b EndpointTally) int { return cmp.Compare(a.EndpointID, b.EndpointID) })
	return tallies
}

// DeliveredEndpoints returns the IDs of the tallies that delivered, in
// tally order: the endpoints whose outage, if they had one, is over (see
// HealthPolicy.RecoverWithin).
func DeliveredEndpoints(tallies []EndpointTally) []int64 {
	var ids []int64
	for _, t := range tallies {
		if t.Delivered {
			ids = append(ids, t.EndpointID)
		}
	}
	return ids
}

// FailuresReason is the DisabledReason of an endpoint disabled by
// p.DisableAfterFailures: "N consecutive failed attempts".
func (p HealthPolicy) FailuresReason() string {
	return fmt.Sprintf("%d consecutive failed attempts", p.DisableAfterFailures)
}

// FailingForReason is the DisabledReason of an endpoint disabled by
// p.DisableAfterFailingFor: "failing for D without a success", D formatted by
// time.Duration.String.
func (p HealthPolicy) FailingForReason() string {
	return fmt.Sprintf("failing for %s without a success", p.DisableAfterFailingFor)
}
