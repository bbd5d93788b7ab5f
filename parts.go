package hookrelay

import "github.com/hookrelay/hookrelay/internal/clientparts"

func init() {
	clientparts.Of = func(c any) clientparts.Parts { return c.(interface{ parts() clientparts.Parts }).parts() }
}

// parts returns what `hookrelay serve` mounts its HTTP side on
// (clientparts).
func (c *Client[TTx]) parts() clientparts.Parts {
	return clientparts.Parts{
		Store:           c.store,
		Service:         c.service,
		WorkerName:      c.workerName,
		ShutdownTimeout: offToZero(c.config.ShutdownTimeout),
		Limits:          c.limits,
	}
}
