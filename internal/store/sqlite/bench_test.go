package sqlite_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// BenchmarkPublish publishes events to four endpoints from parallel
// goroutines: one write transaction, and one fsync, per event.
func BenchmarkPublish(b *testing.B) {
	s := withEndpoints(b, 4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			publish(b, s)
		}
	})
}

// BenchmarkClaimComplete claims and completes deliveries in batches of 100,
// as a worker does.
func BenchmarkClaimComplete(b *testing.B) {
	const batch = 100
	s := withEndpoints(b, 4)
	for range b.N*batch/4 + 1 {
		publish(b, s)
	}
	b.ResetTimer()
	for range b.N {
		claimed, err := s.Claim(b.Context(), store.ClaimRequest{Limit: batch, Lease: time.Minute, Worker: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		outcomes := make([]store.Outcome, len(claimed))
		for i, c := range claimed {
			outcomes[i] = store.Outcome{Lease: c.Lease, Result: store.ResultDelivered, Attempt: store.Attempt{Attempt: 1, StartedAt: time.Now()}}
		}
		if _, err := s.Complete(b.Context(), outcomes, store.HealthPolicy{DisableAfterFailures: 10}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "deliveries/s")
}

// withEndpoints returns a migrated store with n active endpoints that
// subscribe to every event.
func withEndpoints(tb testing.TB, n int) store.Store {
	s := migrated(tb, testdb.SQLitePath(tb))
	for i := range n {
		e := store.Endpoint{URL: fmt.Sprintf("https://receiver-%d.example/hook", i), Secret: "secret", Active: true}
		if _, err := s.CreateEndpoint(tb.Context(), e); err != nil {
			tb.Fatal(err)
		}
	}
	return s
}

// publish publishes a new document.created event.
func publish(tb testing.TB, s store.Store) store.PublishResult {
	res, err := s.Publish(tb.Context(), store.Event{Type: "document.created"}, store.PublishOptions{MaxRetries: 3})
	if err != nil {
		tb.Fatal(err)
	}
	return res
}
