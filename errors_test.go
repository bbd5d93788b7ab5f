package hookrelay_test

import (
	"errors"
	"strconv"
	"testing"

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/internal/store/storeopen"
)

// TestErrConflict: the refusals that the state of a row explains match
// ErrConflict (and not ErrInvalid or ErrNotFound): a new URL for an
// endpoint of WEBHOOK_URLS, a ping of a disabled endpoint.
func TestErrConflict(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		c := b.newClient(t, fast()...)
		ctx := t.Context()
		st, err := storeopen.Open(ctx, b.target)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.SyncConfigEndpoints(ctx, []string{"http://10.0.0.5/hook"}, "config-secret-0123456789"); err != nil {
			t.Fatal(err)
		}
		list, err := c.ListEndpoints(ctx)
		if err != nil || len(list) != 1 {
			t.Fatalf("endpoints %+v, %v", list, err)
		}
		configured := list[0]
		other := "http://127.0.0.1:9/elsewhere"
		_, moveErr := c.UpdateEndpoint(ctx, configured.ID, hookrelay.EndpointUpdate{URL: &other})
		if _, err := c.DisableEndpoint(ctx, configured.ID, "paused"); err != nil {
			t.Fatal(err)
		}
		_, pingErr := c.PingEndpoint(ctx, configured.ID)
		for name, err := range map[string]error{"moving a WEBHOOK_URLS endpoint": moveErr, "pinging a disabled endpoint": pingErr} {
			if !errors.Is(err, hookrelay.ErrConflict) || errors.Is(err, hookrelay.ErrInvalid) || errors.Is(err, hookrelay.ErrNotFound) {
				t.Errorf("%s: %v, want ErrConflict only", name, err)
			}
		}
	})
}

// TestEndpointErrorsNameTheEndpointOnce: an error of a change of an
// endpoint is one line that names it once.
func TestEndpointErrorsNameTheEndpointOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		c := b.newClient(t, fast()...)
		ctx := t.Context()
		title := "x"
		_, updateErr := c.UpdateEndpoint(ctx, 999999, hookrelay.EndpointUpdate{Title: &title})
		_, enableErr := c.EnableEndpoint(ctx, 999999)
		_, rotateErr := c.RotateSecret(ctx, 999999, "")
		for name, err := range map[string]error{"UpdateEndpoint": updateErr, "EnableEndpoint": enableErr, "RotateSecret": rotateErr} {
			if !errors.Is(err, hookrelay.ErrNotFound) || err.Error() != "hookrelay: endpoint 999999: not found" {
				t.Errorf("%s of a missing endpoint: %q, want %q", name, err, "hookrelay: endpoint 999999: not found")
			}
		}
		e, err := c.CreateEndpoint(ctx, hookrelay.Endpoint{URL: "http://127.0.0.1:9/hooks"})
		if err != nil {
			t.Fatal(err)
		}
		bad := "ftp://x"
		_, err = c.UpdateEndpoint(ctx, e.ID, hookrelay.EndpointUpdate{URL: &bad})
		if want := "hookrelay: endpoint " + strconv.FormatInt(e.ID, 10) + ": url: scheme must be http or https"; !errors.Is(err, hookrelay.ErrInvalid) || err.Error() != want {
			t.Errorf("an invalid update: %q, want %q", err, want)
		}
	})
}
