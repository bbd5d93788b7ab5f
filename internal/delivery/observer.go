package delivery

import "github.com/hookrelay/hookrelay/internal/store"

// Observer is told what the worker does, for metrics. Its methods are called
// from many goroutines and must be quick.
type Observer interface {
	// AttemptFinished is called once per attempt, after it is classified.
	AttemptFinished(c store.Claimed, res SendResult, result store.Result)
	// InFlight is called with +1 when a request starts and -1 when it ends.
	InFlight(delta int)
	// EndpointDisabled is called when the worker's outcomes disable an endpoint.
	EndpointDisabled(endpointID int64, reason string)
}

// NopObserver ignores everything.
type NopObserver struct{}

// AttemptFinished does nothing.
func (NopObserver) AttemptFinished(store.Claimed, SendResult, store.Result) {}

// InFlight does nothing.
func (NopObserver) InFlight(int) {}

// EndpointDisabled does nothing.
func (NopObserver) EndpointDisabled(int64, string) {}
