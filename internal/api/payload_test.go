package api_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

// TestDeliveryShowsThePayloadAsPublished: the delivery's payload in the API
// is the event's data as published (key order, escapes, numbers), the data
// its requests carry, on both stores.
func TestDeliveryShowsThePayloadAsPublished(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		t.Parallel()
		st := newStore(t)
		s := newServer(t, st, nil)
		s.createEndpoint("http://127.0.0.1:9/a")
		const data = `{"z":1,"a":"\u00e9\/","10":1e3,"9":-0.0,"a":2}`
		var res wire.PublishResponse
		s.call("POST", "/v1/events", `{"type":"t.x","data":`+data+`}`, http.StatusAccepted, &res)
		if string(res.Event.Data) != data {
			t.Errorf("published event data %s, want %s", res.Event.Data, data)
		}
		ds, err := st.ListDeliveries(t.Context(), store.DeliveryFilter{EventID: res.EventID})
		if err != nil || len(ds) != 1 {
			t.Fatalf("deliveries %+v, %v", ds, err)
		}
		var detail wire.DeliveryDetail
		s.call("GET", "/v1/deliveries/"+strconv.FormatInt(ds[0].ID, 10), nil, http.StatusOK, &detail)
		if string(detail.Payload) != data {
			t.Errorf("delivery payload %s, want %s", detail.Payload, data)
		}
	})
}
