package api_test

import (
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/hookrelay/hookrelay/internal/authlimit"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

// TestTokenGuessingIsThrottled: past authlimit.MaxFailures wrong or missing
// tokens, the client is answered 429 with Retry-After, right token or not;
// right tokens before that are never refused, however many at once.
func TestTokenGuessingIsThrottled(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		s := newServer(t, newStore(t), nil)

		var wg sync.WaitGroup
		statuses := make(chan int, 50)
		for range 50 {
			wg.Go(func() {
				status, _, _ := s.send("GET", "/v1/webhooks", nil, nil)
				statuses <- status
			})
		}
		testwait.Group(t, &wg, "requests with the right token")
		close(statuses)
		for status := range statuses {
			if status != http.StatusOK {
				t.Fatalf("a request with the right token answered %d", status)
			}
		}

		bad := http.Header{"Authorization": {"Bearer guess"}}
		for i := range authlimit.MaxFailures {
			h := bad
			if i == 0 {
				h = http.Header{"Authorization": {""}} // a missing token counts too
			}
			status, _, raw := s.send("GET", "/v1/webhooks", nil, h)
			if status != http.StatusUnauthorized {
				t.Fatalf("guess %d: %d %s, want 401", i+1, status, raw)
			}
		}
		for _, h := range []http.Header{bad, nil} { // nil: the right token
			status, header, raw := s.send("GET", "/v1/webhooks", nil, h)
			e := checkError(t, "throttled", status, header, raw, http.StatusTooManyRequests, "too_many_requests")
			after, err := strconv.Atoi(header.Get("Retry-After"))
			if err != nil || after < 1 || after > int(authlimit.Window.Seconds()) {
				t.Errorf("Retry-After %q", header.Get("Retry-After"))
			}
			if e.Message == "" {
				t.Error("no message")
			}
		}
		// The health checks need no token and are never throttled.
		if status, _, _ := s.send("GET", "/healthz", nil, bad); status != http.StatusOK {
			t.Errorf("healthz answered %d while the client is throttled", status)
		}
	})
}
