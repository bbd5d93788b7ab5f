package service

import (
	"context"

	"github.com/hookrelay/hookrelay/internal/store"
)

// EndpointRecovery returns the recovery state of endpoint id: its probing
// (store.ProbeState), the deliveries that would be recovered if it came
// back now (within Options.RecoveryWindow; none when recovery is off) and
// the recovered ones still pending. A missing endpoint is ErrNotFound.
func (s *Service) EndpointRecovery(ctx context.Context, id int64) (store.Recovery, error) {
	r, err := s.store.RecoveryOf(ctx, id, max(s.opts.RecoveryWindow, 0))
	if err != nil {
		return store.Recovery{}, rowError("endpoint", id, err)
	}
	return r, nil
}

// StopRecovery is a person's stop of endpoint id's automatic recovery: its
// probing ends (a disabled endpoint stays disabled, as if a person had
// disabled it: only a person enables it again) and its recovered deliveries
// not sent yet are cancelled. It returns the endpoint; a missing one is
// ErrNotFound.
func (s *Service) StopRecovery(ctx context.Context, id int64) (store.Endpoint, error) {
	e, err := s.store.StopRecovery(ctx, id)
	if err != nil {
		return store.Endpoint{}, rowError("endpoint", id, err)
	}
	return e, nil
}
