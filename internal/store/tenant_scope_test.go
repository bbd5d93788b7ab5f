package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
)

// TestTenantScopedFailsClosed: without a tenant in the context, a
// TenantScoped store refuses every read and change of tenants' rows
// before it reaches the store it wraps (here none), and the operator-wide
// counts are refused whatever the context.
func TestTenantScopedFailsClosed(t *testing.T) {
	st := store.TenantScoped(nil)
	ctx := t.Context()
	for name, call := range map[string]func(context.Context) error{
		"CreateEndpoint": func(ctx context.Context) error { _, err := st.CreateEndpoint(ctx, store.Endpoint{}); return err },
		"GetEndpoint":    func(ctx context.Context) error { _, err := st.GetEndpoint(ctx, 1); return err },
		"ListEndpoints":  func(ctx context.Context) error { _, err := st.ListEndpoints(ctx, store.EndpointFilter{}); return err },
		"UpdateEndpoint": func(ctx context.Context) error {
			_, err := st.UpdateEndpoint(ctx, 1, store.EndpointPatch{})
			return err
		},
		"DeleteEndpoint": func(ctx context.Context) error { return st.DeleteEndpoint(ctx, 1) },
		"Publish": func(ctx context.Context) error {
			_, err := st.Publish(ctx, store.Event{}, store.PublishOptions{})
			return err
		},
		"GetEvent":       func(ctx context.Context) error { _, err := st.GetEvent(ctx, "x"); return err },
		"ListEvents":     func(ctx context.Context) error { _, err := st.ListEvents(ctx, store.EventFilter{}); return err },
		"GetDelivery":    func(ctx context.Context) error { _, err := st.GetDelivery(ctx, 1); return err },
		"ListDeliveries": func(ctx context.Context) error { _, err := st.ListDeliveries(ctx, store.DeliveryFilter{}); return err },
		"ListAttempts":   func(ctx context.Context) error { _, err := st.ListAttempts(ctx, 1); return err },
		"RetryDelivery":  func(ctx context.Context) error { _, err := st.RetryDelivery(ctx, 1); return err },
		"Replay": func(ctx context.Context) error {
			_, err := st.ReplayDeliveries(ctx, store.DeliveryFilter{})
			return err
		},
		"CountDeliveries": func(ctx context.Context) error {
			_, err := st.CountDeliveries(ctx, store.DeliveryCountRequest{EndpointIDs: []int64{1}})
			return err
		},
	} {
		if err := call(ctx); !errors.Is(err, store.ErrNoTenantScope) {
			t.Errorf("%s without a tenant: %v, want ErrNoTenantScope", name, err)
		}
		if err := call(store.WithTenant(ctx, "")); !errors.Is(err, store.ErrNoTenantScope) {
			t.Errorf("%s with an empty tenant: %v, want ErrNoTenantScope", name, err)
		}
	}
	scoped := store.WithTenant(ctx, "acme")
	if _, err := st.CountByStatus(scoped); !errors.Is(err, store.ErrNoTenantScope) {
		t.Errorf("CountByStatus: %v, want refused", err)
	}
	if _, err := st.CountDeliveries(scoped, store.DeliveryCountRequest{}); !errors.Is(err, store.ErrNoTenantScope) {
		t.Errorf("CountDeliveries of every endpoint: %v, want refused", err)
	}
	if got := store.TenantOf(scoped); got != "acme" {
		t.Errorf("TenantOf = %q, want acme", got)
	}
}
