package hookrelay_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

// flakyReceiver is a loopback endpoint that fails 40 % of the requests it
// gets, deterministically (every request whose number, from 1, is 1 or 3
// modulo 5, answers 503), and records the events it accepted in the order it
// accepted them. It also reports a request that arrives while another one
// of the same ordering key is in flight.
type flakyReceiver struct {
	url string

	mu       sync.Mutex
	requests int
	inFlight map[string]bool // ordering keys
	accepted []orderedData   // in arrival order
	failed   map[string]int  // ordering key → 503s answered
	overlaps []string
}

// orderedData is the data of the events of TestOrderingKeys.
type orderedData struct {
	Key string `json:"key"`
	Seq int    `json:"seq"`
}

func newFlakyReceiver(t *testing.T) *flakyReceiver {
	r := &flakyReceiver{inFlight: map[string]bool{}, failed: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var envelope struct {
			Data orderedData `json:"data"`
		}
		if err := json.Unmarshal(body, &envelope); err != nil {
			t.Errorf("receiver: %v", err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		d := envelope.Data
		r.mu.Lock()
		r.requests++
		status := http.StatusNoContent
		if r.requests%5 == 1 || r.requests%5 == 3 {
			status = http.StatusServiceUnavailable
			r.failed[d.Key]++
		} else {
			r.accepted = append(r.accepted, d)
		}
		if d.Key != "" && r.inFlight[d.Key] {
			r.overlaps = append(r.overlaps, fmt.Sprintf("%s #%d", d.Key, d.Seq))
		}
		r.inFlight[d.Key] = true
		r.mu.Unlock()
		w.WriteHeader(status)
		// The answer reaches the sender once the handler returns: until
		// then, the request is in flight.
		r.mu.Lock()
		delete(r.inFlight, d.Key)
		r.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL + "/hooks"
	return r
}

// TestOrderingKeys publishes 40 events with one ordering key to a receiver
// that fails 40 % of its requests, then 20 events with other keys or none:
// the 40 arrive in publish order, one at a time, each once, and every other
// event arrives before the last of the 40, so none was held back behind
// them.
func TestOrderingKeys(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		const ordered, others = 40, 20
		c := started(t, b, hookrelay.WithMaxRetries(30))
		r := newFlakyReceiver(t)
		if _, err := c.CreateEndpoint(t.Context(), hookrelay.Endpoint{URL: r.url}); err != nil {
			t.Fatal(err)
		}
		for i := range ordered {
			data, _ := json.Marshal(orderedData{Key: "order-1", Seq: i})
			if _, err := c.PublishNow(t.Context(), hookrelay.Event{Type: "order.updated", Data: data, OrderingKey: "order-1"}); err != nil {
				t.Fatal(err)
			}
		}
		var rest []hookrelay.Event
		for i := range others {
			key := ""
			if i%2 == 0 {
				key = fmt.Sprintf("other-%d", i)
			}
			data, _ := json.Marshal(orderedData{Key: key, Seq: i})
			rest = append(rest, hookrelay.Event{Type: "order.updated", Data: data, OrderingKey: key})
		}
		if _, err := c.PublishManyNow(t.Context(), rest); err != nil {
			t.Fatal(err)
		}

		var accepted []orderedData
		testwait.Until(t, "every event accepted", func() bool {
			r.mu.Lock()
			defer r.mu.Unlock()
			accepted = append(accepted[:0], r.accepted...)
			return len(accepted) >= ordered+others
		})
		r.mu.Lock()
		defer r.mu.Unlock()
		if len(r.overlaps) > 0 {
			t.Errorf("requests that arrived while one of their key was in flight: %v", r.overlaps)
		}
		if r.failed["order-1"] == 0 {
			t.Errorf("no request of the ordered events failed; the test proves nothing")
		}
		var seqs []int
		lastOrdered, lastOther := -1, -1
		for i, d := range accepted {
			if d.Key == "order-1" {
				seqs = append(seqs, d.Seq)
				lastOrdered = i
			} else {
				lastOther = i
			}
		}
		for i, seq := range seqs {
			if seq != i || len(seqs) != ordered {
				t.Fatalf("the ordered events arrived as %v, want 0 to %d in order, each once", seqs, ordered-1)
			}
		}
		if lastOther > lastOrdered {
			t.Errorf("an event of another key arrived at %d, after the last ordered one (%d): it was held back", lastOther, lastOrdered)
		}
	})
}

// An ordering key longer than 255 bytes, or one that is not text, is
// refused as invalid, naming the field, on both stores alike.
func TestPublishRefusesABadOrderingKey(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		c := b.newClient(t, fast()...)
		for _, key := range []string{strings.Repeat("k", 256), "a\x00b", "\xff"} {
			_, err := c.PublishNow(t.Context(), hookrelay.Event{Type: "a", OrderingKey: key})
			if !errors.Is(err, hookrelay.ErrInvalid) || !strings.Contains(err.Error(), "ordering_key") {
				t.Errorf("PublishNow with ordering key %q: %v, want ErrInvalid naming ordering_key", key, err)
			}
		}
	})
}
