package testenv

import (
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
)

// Publish normalizes ev (store.Event.Normalize: a new ID where it has none,
// {} for missing data) and publishes it to st's matching endpoints with
// maxRetries, as the service does; it fails t on an error of either and
// returns the store's answer.
func Publish(t testing.TB, st store.Store, ev store.Event, maxRetries int) store.PublishResult {
	t.Helper()
	if err := ev.Normalize(); err != nil {
		t.Fatalf("normalize event %q: %v", ev.Type, err)
	}
	res, err := st.Publish(t.Context(), ev, store.PublishOptions{MaxRetries: maxRetries})
	if err != nil {
		t.Fatalf("publish %q: %v", ev.Type, err)
	}
	return res
}
