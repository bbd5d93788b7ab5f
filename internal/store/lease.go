package store

// LeaseExpiredMessage is the LastError of a delivery that RescueExpired took
// back because its lease expired.
const LeaseExpiredMessage = "lease expired: worker lost"

// NewLease is the lease that worker holds on d once it has claimed it: the
// delivery's ID, the worker and the delivery's retry count as claimed.
func NewLease(d Delivery, worker string) Lease {
	return Lease{DeliveryID: d.ID, Worker: worker, RetryCount: d.RetryCount}
}
