package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

func TestPublishBatch(t *testing.T) {
	testenv.EachStoreParallel(t, map[string]func(*testing.T, store.Store){
		"EachEventAlone":            testBatchEachEventAlone,
		"Idempotent":                testBatchIdempotent,
		"WholeBodyErrors":           testBatchWholeBodyErrors,
		"ConcurrentSinglePublishes": testConcurrentSinglePublishes,
	})
}

func testBatchEachEventAlone(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	all := s.createEndpoint("http://127.0.0.1:9/all")
	docs := s.createEndpoint("http://127.0.0.1:9/docs", "document.*")
	old := s.publish("document.created")
	const repeated = "0190b6a4-0000-7000-8000-0000000000aa"
	body := `{"events":[
		{"type":"document.created","data":{"n":1},"priority":4,"ordering_key":"doc-1"},
		{"type":"bad type"},
		{"id":"` + old.EventID + `","type":"document.created"},
		{"id":"` + repeated + `","type":"signature.created","endpoint_ids":[` + fmt.Sprint(docs.ID) + `]},
		{"id":"` + strings.ToUpper(repeated) + `","type":"other.type"},
		{"type":"document.created","endpoint_ids":[999]},
		{"type":"document.created","data":{"big":"` + strings.Repeat("x", 5000) + `"}},
		{"type":"document.created","priority":3000000000},
		{"type":"document.created","ordering_key":"` + strings.Repeat("k", 256) + `"}
	]}`
	var res wire.PublishBatchResponse
	s.call("POST", "/v1/events/batch", body, http.StatusOK, &res)
	if len(res.Results) != 9 {
		t.Fatalf("%d results, want 9: %+v", len(res.Results), res)
	}
	type want struct {
		status, deliveries int
		created            bool
		code, field        string
	}
	for i, w := range []want{
		{status: 202, deliveries: 2, created: true},
		{status: 422, code: "validation_failed", field: "type"},
		{status: 200},
		{status: 202, deliveries: 1, created: true},
		{status: 200},
		{status: 422, code: "validation_failed", field: "endpoint_ids[0]"},
		{status: 413, code: "payload_too_large", field: "data"},
		{status: 422, code: "validation_failed", field: "priority"},
		{status: 422, code: "validation_failed", field: "ordering_key"},
	} {
		r := res.Results[i]
		if r.Status != w.status || r.Deliveries != w.deliveries || r.Created != w.created {
			t.Errorf("result %d = %+v, want %+v", i, r, w)
		}
		switch {
		case w.code == "" && (r.Error != nil || r.EventID == ""):
			t.Errorf("result %d = %+v, want an event ID and no error", i, r)
		case w.code != "" && (r.Error == nil || r.Error.Code != w.code || r.Error.Field != w.field || r.Error.Message == "" || r.EventID != ""):
			t.Errorf("result %d = %+v (error %+v), want only the error %s on %s", i, r, r.Error, w.code, w.field)
		}
	}
	if res.Results[2].EventID != old.EventID || res.Results[3].EventID != repeated || res.Results[4].EventID != repeated {
		t.Errorf("IDs of the repeated events: %+v", res.Results)
	}
	ctx := context.Background()
	first, err := st.ListDeliveries(ctx, store.DeliveryFilter{EventID: res.Results[0].EventID})
	if err != nil || len(first) != 2 || first[0].Priority != 4 || first[0].MaxRetries != 3 || first[0].OrderingKey != "doc-1" {
		t.Errorf("deliveries of the first event: %+v, %v; want 2 with priority 4, 3 retries and ordering key doc-1", first, err)
	}
	for _, d := range first {
		if d.EndpointID != all.ID && d.EndpointID != docs.ID {
			t.Errorf("the first event went to endpoint %d, want %d and %d", d.EndpointID, all.ID, docs.ID)
		}
	}
	targeted, err := st.ListDeliveries(ctx, store.DeliveryFilter{EventID: repeated})
	if err != nil || len(targeted) != 1 || targeted[0].EndpointID != docs.ID || targeted[0].EventType != "signature.created" {
		t.Errorf("deliveries of the targeted event: %+v, %v; want one to %d", targeted, err, docs.ID)
	}
	if ds := listDeliveries(t, st, store.DeliveryFilter{}); len(ds) != old.Deliveries+3 {
		t.Errorf("%d deliveries in all, want %d: refused and repeated events create none", len(ds), old.Deliveries+3)
	}
}

func testBatchIdempotent(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	s.createEndpoint("http://127.0.0.1:9/all")
	var req wire.PublishBatchRequest
	for i := range 20 {
		req.Events = append(req.Events, wire.PublishRequest{ID: fmt.Sprintf("0190b6a4-0000-7000-8000-%012d", i), Type: "document.created"})
	}
	for round, status := range []int{http.StatusAccepted, http.StatusOK} {
		var res wire.PublishBatchResponse
		s.call("POST", "/v1/events/batch", req, http.StatusOK, &res)
		for i, r := range res.Results {
			if r.Status != status || r.EventID != req.Events[i].ID || r.Created != (round == 0) {
				t.Errorf("round %d, result %d = %+v, want status %d", round, i, r, status)
			}
		}
	}
	if ds := listDeliveries(t, st, store.DeliveryFilter{}); len(ds) != 20 {
		t.Errorf("%d deliveries after the same batch twice, want 20", len(ds))
	}
}

func testBatchWholeBodyErrors(t *testing.T, st store.Store) {
	s := newServer(t, st, nil) // MaxPayloadBytes 4 KiB: batches up to 256 KiB
	s.createEndpoint("http://127.0.0.1:9/all")
	s.wantError("POST", "/v1/events/batch", `{"events":[{"type":"a"}`, http.StatusBadRequest, "invalid_json")
	s.wantError("POST", "/v1/events/batch", `{"events":[{"type":"a","tpye":"b"}]}`, http.StatusBadRequest, "invalid_json")
	s.wantError("POST", "/v1/events/batch", `[{"type":"a"}]`, http.StatusBadRequest, "invalid_json")
	for _, body := range []string{`{}`, `{"events":[]}`, `{"events":[` + strings.Repeat(`{"type":"a"},`, 1000) + `{"type":"a"}]}`} {
		if e := s.wantError("POST", "/v1/events/batch", body, http.StatusUnprocessableEntity, "validation_failed"); e.Field != "events" {
			t.Errorf("error %+v, want field events", e)
		}
	}
	big := `{"events":[` + strings.Repeat(`{"type":"a","data":{"x":"`+strings.Repeat("x", 3000)+`"}},`, 100) + `{"type":"a"}]}`
	s.wantError("POST", "/v1/events/batch", big, http.StatusRequestEntityTooLarge, "payload_too_large")
	if ds := listDeliveries(t, st, store.DeliveryFilter{}); len(ds) != 0 {
		t.Errorf("refused batches created %d deliveries", len(ds))
	}
}

// testConcurrentSinglePublishes publishes from 16 clients at once, so that
// the publishes share transactions: each gets its own answer.
func testConcurrentSinglePublishes(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	s.createEndpoint("http://127.0.0.1:9/all")
	var wg sync.WaitGroup
	var mu sync.Mutex
	ids := map[string]bool{}
	for range 16 {
		wg.Go(func() {
			for range 10 {
				// t.Fatal may not run here, out of the test's goroutine.
				var res wire.PublishResponse
				status, _, raw := s.send("POST", "/v1/events", `{"type":"document.created"}`, nil)
				if err := json.Unmarshal(raw, &res); status != http.StatusAccepted || err != nil {
					t.Errorf("publish: %d %s", status, raw)
				}
				mu.Lock()
				ids[res.EventID] = true
				mu.Unlock()
				if status, _, raw := s.send("POST", "/v1/events", `{"type":"bad type"}`, nil); status != http.StatusUnprocessableEntity {
					t.Errorf("publish an invalid event: %d %s", status, raw)
				}
			}
		})
	}
	testwait.Group(t, &wg, "publishers")
	ds, err := st.ListDeliveries(context.Background(), store.DeliveryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 160 || len(ds) != 160 {
		t.Errorf("%d events and %d deliveries, want 160 of each", len(ids), len(ds))
	}
}
