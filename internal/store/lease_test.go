package store

import "testing"

func TestNewLease(t *testing.T) {
	d := Delivery{ID: 7, RetryCount: 2, Status: StatusProcessing}
	if got, want := NewLease(d, "worker-1"), (Lease{DeliveryID: 7, Worker: "worker-1", RetryCount: 2}); got != want {
		t.Errorf("NewLease = %+v, want %+v", got, want)
	}
}
