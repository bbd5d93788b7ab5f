package hookrelay_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay"
)

func TestStartStopRun(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		c := b.newClient(t, fast()...)
		if err := c.Stop(t.Context()); !errors.Is(err, hookrelay.ErrNotRunning) {
			t.Errorf("Stop before Start = %v, want ErrNotRunning", err)
		}
		if err := c.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		if err := c.Start(t.Context()); !errors.Is(err, hookrelay.ErrRunning) {
			t.Errorf("second Start = %v, want ErrRunning", err)
		}
		if err := c.Run(t.Context()); !errors.Is(err, hookrelay.ErrRunning) {
			t.Errorf("Run while started = %v, want ErrRunning", err)
		}
		stop(t, c)

		// Run delivers until its context ends.
		r := subscribe(t, c)
		ctx, cancel := context.WithCancel(t.Context())
		ran := make(chan error, 1)
		go func() { ran <- c.Run(ctx) }()
		r.expect(t, publishNow(t, c, "document.created").EventID)
		cancel()
		select {
		case err := <-ran:
			if err != nil {
				t.Errorf("Run = %v after its context ended, want nil", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after its context ended")
		}
		if err := c.Start(t.Context()); err != nil {
			t.Fatalf("Start after Run returned: %v", err)
		}
		stop(t, c)
	})
}

// countingTransport counts the requests it carries.
type countingTransport struct{ n atomic.Int64 }

func (ct *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ct.n.Add(1)
	return http.DefaultTransport.RoundTrip(req)
}

func TestWithHTTPClient(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		transport := &countingTransport{}
		c := started(t, b, hookrelay.WithHTTPClient(&http.Client{Transport: transport}))
		r := subscribe(t, c)
		r.expect(t, publishNow(t, c, "document.created").EventID)
		if transport.n.Load() != 1 {
			t.Errorf("the application's client carried %d requests, want 1", transport.n.Load())
		}
	})
}

func TestWithEncryptionKey(t *testing.T) {
	const key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	eachStore(t, func(t *testing.T, b backend) {
		c := started(t, b, hookrelay.WithEncryptionKey(key))
		r := subscribe(t, c) // verifies the signature with the clear secret
		r.expect(t, publishNow(t, c, "document.created").EventID)
		if n := b.count(t, "webhooks WHERE secret LIKE 'enc:%'"); n != 1 {
			t.Errorf("%d encrypted secrets in the database, want 1", n)
		}
	})
}

func TestWithoutMigrate(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		if _, err := b.tryClient(t, hookrelay.WithoutMigrate()); err == nil {
			t.Error("WithoutMigrate on an empty database: no error, want one saying to migrate")
		}
		b.newClient(t)
		if _, err := b.tryClient(t, hookrelay.WithoutMigrate()); err != nil {
			t.Errorf("WithoutMigrate on a migrated database: %v", err)
		}
	})
}
