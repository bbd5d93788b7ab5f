// Package clientparts hands the parts of a hookrelay.Client to `hookrelay
// serve` (internal/app), which mounts the HTTP API, the dashboard and the
// metrics on them, and to `hookrelay bench`, without making them part of the
// library's public API. The root package sets Of in its init, as gRPC does
// for its internal hooks.
package clientparts

import (
	"time"

	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
)

// Parts are what a client holds that serve's HTTP side needs.
type Parts struct {
	// Store is the client's store, encrypted when the client has a key; the
	// doors read it.
	Store store.Store
	// Service carries out every change, with the client's settings: the
	// same one the library's methods call.
	Service *service.Service
	// WorkerName names the leases of the client's workers.
	WorkerName string
	// ShutdownTimeout is how long stopping the workers waits for requests
	// in flight (0: not at all).
	ShutdownTimeout time.Duration
	// Limits are the in-flight limits that the client's workers apply to
	// each endpoint now, for the dashboard.
	Limits *delivery.Limits
}

// Of returns the parts of c, a *hookrelay.Client; the root package sets it.
var Of func(c any) Parts
