package sqlite_test

import (
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// BenchmarkPublish publishes events to four endpoints from eight goroutines
// per CPU, whose publishes share write transactions.
func BenchmarkPublish(b *testing.B) {
	s := withEndpoints(b, 4)
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := publishOne(b.Context(), s); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkClaimComplete claims and completes deliveries in batches of 100,
// as a worker does.
func BenchmarkClaimComplete(b *testing.B) {
	const batch = 100
	s := withEndpoints(b, 4)
	for range b.N*batch/4 + 1 {
		if _, err := publishOne(b.Context(), s); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for range b.N {
		claimed, err := s.Claim(b.Context(), store.ClaimRequest{Limit: batch, Lease: time.Minute, Worker: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Complete(b.Context(), deliveredAll(claimed), store.HealthPolicy{DisableAfterFailures: 10}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "deliveries/s")
}

// withEndpoints returns a migrated store with n endpoints.
func withEndpoints(tb testing.TB, n int) store.Store {
	s := migrated(tb, testdb.SQLitePath(tb))
	addEndpoints(tb, s, n)
	return s
}
