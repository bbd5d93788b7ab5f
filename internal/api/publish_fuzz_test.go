package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/api"
	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/storetest"
	"github.com/hookrelay/hookrelay/internal/testdb"
	"github.com/hookrelay/hookrelay/internal/testenv"
	"github.com/hookrelay/hookrelay/signature"
)

// FuzzPublishedDataArrivesExactly publishes generated event data through the
// API of a real server on each store, delivered by a real worker to a real
// loopback receiver that verifies the signature. Each input is either
// refused alike by both stores (400, 413 or 422, with the same code and
// field), or accepted by both and received byte for byte as it was sent.
// An accepted input must also be one that store.CheckEventData accepts, and
// a 422 must name the data.
func FuzzPublishedDataArrivesExactly(f *testing.F) {
	seeds := append(append([]string{}, storetest.ExactData...), storetest.RefusedData...)
	seeds = append(seeds,
		`{"z":1,"a":2,"10":"ten","9":"nine"}`, `"\/"`, `-0.0`, `1e3`, `1.7976931348623157e308`, `{"a":1,"a":2}`,
		`{"<>&":"\u2028\u2029","html":"<b>&amp;</b>"}`, "  {\"lead\":\"space\"}\n", `[]`, `null`, `true`,
		`{"k":"\u0000"}`, "{\"s\":\"caf\xe9 \xff\"}", `{"s":"\udbff\udfff","t":"\uDBFF\uDFFF"}`,
		`{"n":123456789012345678901234567890.000000000000000000001}`, `1e400`, `-1e-400`, `0.0000000000000000000001`,
		strings.Repeat(`[`, 200)+strings.Repeat(`]`, 200), `{"emoji":"😀","escaped":"\ud83d\ude00"}`,
		`1}, "x": {`, `{"a":}`, `"unterminated`, "{\"nul\":\"\x00\"}",
	)
	for _, seed := range seeds {
		f.Add(seed)
	}
	rigs := []*deliveryRig{
		newDeliveryRig(f, "postgres", testenv.PostgresAt(f, testdb.PostgresURL(f))),
		newDeliveryRig(f, "sqlite", testenv.SQLiteAt(f, testdb.SQLitePath(f))),
	}
	f.Fuzz(func(t *testing.T, data string) {
		body := `{"type":"fuzz.data","data":` + data + `}`
		var answers []publishAnswer
		for _, rig := range rigs {
			answers = append(answers, rig.publish(t, body))
		}
		pg, lite := answers[0], answers[1]
		if pg.status != lite.status || pg.err.Code != lite.err.Code || pg.err.Field != lite.err.Field {
			t.Fatalf("data %q: postgres answered %d %+v, sqlite %d %+v", data, pg.status, pg.err, lite.status, lite.err)
		}
		switch pg.status {
		case http.StatusAccepted:
			want := bytes.Trim([]byte(data), " \t\r\n")
			if err := store.CheckEventData(want); err != nil {
				t.Fatalf("data %q was accepted, but CheckEventData refuses it: %v", data, err)
			}
			for i, rig := range rigs {
				got := rig.received(t, answers[i].eventID)
				if !bytes.Equal(got, want) {
					t.Fatalf("%s: data %q arrived as %q", rig.name, want, got)
				}
			}
		case http.StatusUnprocessableEntity:
			if pg.err.Field != "data" {
				t.Fatalf("data %q: refused for field %q, want data", data, pg.err.Field)
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("data %q: status %d %+v", data, pg.status, pg.err)
		}
	})
}

// deliveryRig is an API server and a delivery worker on one store, and a
// loopback receiver subscribed to everything.
type deliveryRig struct {
	name   string
	apiURL string
	mu     sync.Mutex
	got    map[string][]byte // event ID → the data received
	wake   chan struct{}
}

// publishAnswer is what the API answered a publish.
type publishAnswer struct {
	status  int
	eventID string
	err     wire.Error
}

func newDeliveryRig(f *testing.F, name string, st store.Store) *deliveryRig {
	f.Helper()
	rig := &deliveryRig{name: name, got: map[string][]byte{}, wake: make(chan struct{}, 1)}
	secret, err := signature.GenerateSecret()
	if err != nil {
		f.Fatal(err)
	}
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		if _, err := signature.Verify(r.Header, raw, signature.VerifyOptions{Secrets: []string{secret}}); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var envelope struct {
			ID   string          `json:"id"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(raw, &envelope); err != nil {
			http.Error(w, "the body is not JSON: "+err.Error(), http.StatusBadRequest)
			return
		}
		rig.mu.Lock()
		rig.got[envelope.ID] = envelope.Data
		rig.mu.Unlock()
		select {
		case rig.wake <- struct{}{}:
		default:
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	f.Cleanup(receiver.Close)

	server := httptest.NewServer(api.New(api.Options{Store: st, DefaultMaxRetries: 0, AllowPrivateTargets: true}))
	f.Cleanup(server.Close)
	rig.apiURL = server.URL
	resp, err := http.Post(server.URL+"/v1/webhooks", "application/json",
		strings.NewReader(`{"url":"`+receiver.URL+`/hooks","secret":"`+secret+`"}`))
	if err != nil || resp.StatusCode != http.StatusCreated {
		f.Fatalf("%s: create the receiver's endpoint: %v %v", name, resp, err)
	}
	resp.Body.Close()

	worker := delivery.NewWorker(st, delivery.NewSender(delivery.SenderOptions{Timeout: 5 * time.Second, AllowPrivate: true}),
		delivery.Options{
			Concurrency: 8, EndpointInFlight: 8, BatchSize: 10, Lease: time.Minute, PollInterval: 20 * time.Millisecond,
			Retry: delivery.RetryPolicy{Base: time.Millisecond, Cap: time.Millisecond, RetryAfterCap: time.Millisecond},
		})
	testenv.Run(f, name+" worker", worker.Run)
	return rig
}

// publish posts body to POST /v1/events.
func (rig *deliveryRig) publish(t *testing.T, body string) publishAnswer {
	t.Helper()
	resp, err := http.Post(rig.apiURL+"/v1/events", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s: publish: %v", rig.name, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	answer := publishAnswer{status: resp.StatusCode}
	if resp.StatusCode == http.StatusAccepted {
		var res wire.PublishResponse
		if err := json.Unmarshal(raw, &res); err != nil || res.Deliveries != 1 {
			t.Fatalf("%s: publish answer %s (%v), want one delivery", rig.name, raw, err)
		}
		answer.eventID = res.EventID
		return answer
	}
	var e wire.ErrorBody
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatalf("%s: error answer %d is not the error document: %s", rig.name, resp.StatusCode, raw)
	}
	answer.err = e.Error
	return answer
}

// received waits, up to a deadline, for the delivery of event id and returns
// the data that arrived.
func (rig *deliveryRig) received(t *testing.T, id string) []byte {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		rig.mu.Lock()
		data, ok := rig.got[id]
		rig.mu.Unlock()
		if ok {
			return data
		}
		select {
		case <-rig.wake:
		case <-deadline:
			t.Fatalf("%s: event %s was not delivered", rig.name, id)
		}
	}
}
