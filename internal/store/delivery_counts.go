package store

import (
	"errors"
	"time"
)

// MaxCountBuckets is the most time buckets one CountDeliveries may ask for.
const MaxCountBuckets = 10_000

// DeliveryCountRequest asks CountDeliveries for the deliveries created in
// the window [Start, Start + Buckets×Step), split into Buckets buckets of
// length Step: bucket i holds those created in [Start + i×Step,
// Start + (i+1)×Step).
type DeliveryCountRequest struct {
	// EndpointIDs names the endpoints to count, each on its own. When empty,
	// the deliveries of every endpoint are counted together, with
	// EndpointID 0.
	EndpointIDs []int64
	// Start is the beginning of the window, read to the microsecond.
	Start time.Time
	// Step is the length of one bucket: at least a microsecond, in whole
	// microseconds.
	Step time.Duration
	// Buckets is the number of buckets, 1 to MaxCountBuckets.
	Buckets int
}

// Validate refuses a request whose window is empty or unbounded.
func (r DeliveryCountRequest) Validate() error {
	switch {
	case r.Step < time.Microsecond || r.Step%time.Microsecond != 0:
		return errors.New("count deliveries: step must be a positive number of microseconds")
	case r.Buckets < 1 || r.Buckets > MaxCountBuckets:
		return errors.New("count deliveries: buckets must be between 1 and MaxCountBuckets")
	}
	return nil
}

// End is the end of the window, excluded.
func (r DeliveryCountRequest) End() time.Time {
	return r.Start.Add(time.Duration(r.Buckets) * r.Step)
}

// DeliveryCount is the number of deliveries of one endpoint (0: every
// endpoint, see DeliveryCountRequest.EndpointIDs) created in one bucket that
// are in one status now.
type DeliveryCount struct {
	EndpointID int64
	// Bucket is the index of the bucket in the request's window, from 0.
	Bucket int
	Status Status
	Count  int64
}
