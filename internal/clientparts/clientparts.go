// Package clientparts hands the parts of a hookrelay.Client to `hookrelay
// serve` (internal/app), which mounts the HTTP API, the dashboard and the
// metrics on them, without making them part of the library's public API.
// The root package sets Of in its init, as gRPC does for its internal
// hooks; only internal/app calls it.
package clientparts

import (
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// Parts are what a client holds that serve's HTTP side needs. Settings are
// complete (hookrelay.Config.WithDefaults), with the constants that turn a
// setting off already read as the internal packages read them.
type Parts struct {
	// Store is the client's store, encrypted when the client has a key.
	Store store.Store
	// WorkerName names the leases of the client's workers.
	WorkerName string
	// DefaultMaxRetries is the retries of deliveries published for
	// endpoints that set none (0: none).
	DefaultMaxRetries int
	// AllowPrivateTargets lets endpoints reach addresses that are not
	// globally routable.
	AllowPrivateTargets bool
	// DefaultProfile is the signature profile of endpoints that name none.
	DefaultProfile string
	// RotationWindow is how long a rotated-out secret keeps signing (0: not
	// at all).
	RotationWindow time.Duration
	// ShutdownTimeout is how long stopping the workers waits for requests
	// in flight (0: not at all).
	ShutdownTimeout time.Duration
	// Service: the lead adds the client's *service.Service here when
	// internal/service lands, for the API and the dashboard.
}

// Of returns the parts of c, a *hookrelay.Client; the root package sets it.
var Of func(c any) Parts
