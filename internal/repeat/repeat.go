// Package repeat runs a step on a ticker until the step is done or its
// context ends: the loop behind serve's WEBHOOK_URLS retry and the stores'
// maintainership checks.
package repeat

import (
	"context"
	"time"
)

// Until calls step every interval, the first time one interval from now,
// until step returns true or ctx ends, and then returns. interval must be
// positive (time.NewTicker panics otherwise).
func Until(ctx context.Context, interval time.Duration, step func() (done bool)) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if step() {
				return
			}
		}
	}
}
