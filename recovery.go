package hookrelay

import (
	"context"
	"fmt"
	"time"
)

// EndpointRecovery is the automatic recovery state of an endpoint (see
// Config.RecoveryWindow and Config.ProbeInterval).
type EndpointRecovery struct {
	// ProbingSince is when the endpoint's health rules disabled it and
	// probing began; nil when it is not probed.
	ProbingSince *time.Time
	// NextProbeAt is when the next probe is due; nil when not probed.
	NextProbeAt *time.Time
	// FailedProbes counts the probes that got no 2xx so far.
	FailedProbes int
	// ToRecover counts the deliveries that would be queued again if the
	// endpoint answered 2xx now: failed for good during its outage, within
	// Config.RecoveryWindow, never recovered (0 when recovery is off).
	ToRecover int
	// Recovering counts the recovered deliveries that are queued, not sent
	// yet.
	Recovering int
}

// EndpointRecovery returns the recovery state of endpoint id. A missing
// endpoint is an error matching ErrNotFound.
func (c *Client[TTx]) EndpointRecovery(ctx context.Context, id int64) (EndpointRecovery, error) {
	r, err := c.service.EndpointRecovery(ctx, id)
	if err != nil {
		return EndpointRecovery{}, fmt.Errorf("hookrelay: %w", public(err))
	}
	return EndpointRecovery{
		ProbingSince: r.Since, NextProbeAt: r.NextAt, FailedProbes: r.Failures,
		ToRecover: r.ToRecover, Recovering: r.Recovering,
	}, nil
}

// StopRecovery stops the automatic recovery of endpoint id, as a person
// does: it is no longer probed (disabled, it stays so until EnableEndpoint)
// and its recovered deliveries not sent yet are cancelled. A missing
// endpoint is an error matching ErrNotFound.
func (c *Client[TTx]) StopRecovery(ctx context.Context, id int64) (Endpoint, error) {
	e, err := c.service.StopRecovery(ctx, id)
	return c.endpointResult(e, err, id)
}

// WithRecoveryWindow sets Config.RecoveryWindow: when an endpoint answers
// 2xx again after failures, its deliveries that failed for good during the
// outage at most d ago are queued again, once each; 0 or NoRecovery turns
// automatic recovery off.
func WithRecoveryWindow(d time.Duration) Option {
	return offDuration("WithRecoveryWindow", "NoRecovery", d, NoRecovery, func(c *Config, d time.Duration) { c.RecoveryWindow = d })
}

// WithProbeInterval sets Config.ProbeInterval and Config.ProbeIntervalCap:
// an endpoint its health rules disabled is probed first interval after,
// then at intervals doubled after each failed probe, at most ceiling (0:
// the default cap); interval 0 or Never turns probing off.
func WithProbeInterval(interval, ceiling time.Duration) Option {
	return func(c *Config) error {
		v, ok := orOff(interval, Never)
		if !ok || ceiling < 0 {
			return fmt.Errorf("WithProbeInterval: must not be negative but Never, got %s and %s", interval, ceiling)
		}
		c.ProbeInterval, c.ProbeIntervalCap = v, ceiling
		return nil
	}
}
