package store

import "fmt"

// String is the name of r, as the stores' SQL spells it too: "delivered",
// "retry" or "failed"; "Result(N)" for an unknown value.
func (r Result) String() string {
	switch r {
	case ResultDelivered:
		return "delivered"
	case ResultRetry:
		return "retry"
	case ResultFailed:
		return "failed"
	}
	return fmt.Sprintf("Result(%d)", int(r))
}

// Valid reports whether r is one of the known results.
func (r Result) Valid() bool {
	switch r {
	case ResultDelivered, ResultRetry, ResultFailed:
		return true
	}
	return false
}

// FirstOutcomes returns the outcomes of a Complete batch that may apply, in
// batch order: the first outcome of each delivery, since Complete skips the
// others. An outcome with an unknown Result, first of its delivery or not,
// is an error, so that a batch is refused whole rather than written in part.
// Each returned outcome's attempt is made Storable, so that no string a
// receiver sent can make the write fail.
func FirstOutcomes(outcomes []Outcome) ([]Outcome, error) {
	first := make([]Outcome, 0, len(outcomes))
	seen := make(map[int64]bool, len(outcomes))
	for _, o := range outcomes {
		if !o.Result.Valid() {
			return nil, fmt.Errorf("delivery %d: unknown result %d", o.Lease.DeliveryID, o.Result)
		}
		if seen[o.Lease.DeliveryID] {
			continue
		}
		seen[o.Lease.DeliveryID] = true
		o.Attempt = o.Attempt.Storable()
		first = append(first, o)
	}
	return first, nil
}
