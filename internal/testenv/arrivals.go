package testenv

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Arrivals starts a loopback receiver, closed when t ends, that records
// when each request arrives and then lets then answer it (nil: 200 with no
// body). It returns the receiver's URL and a function that returns a copy
// of the arrival times so far, in arrival order.
func Arrivals(t testing.TB, then http.HandlerFunc) (url string, arrived func() []time.Time) {
	t.Helper()
	var mu sync.Mutex
	var times []time.Time
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
		if then != nil {
			then(w, r)
		}
	}))
	t.Cleanup(rcv.Close)
	return rcv.URL, func() []time.Time {
		mu.Lock()
		defer mu.Unlock()
		return append([]time.Time(nil), times...)
	}
}
