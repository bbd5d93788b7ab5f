package storetest

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
)

// ExactData is event data that a JSONB column would rewrite: key order,
// duplicate keys, escapes, number spellings and spaces. Every store keeps it,
// and sends it, byte for byte.
var ExactData = []string{
	`{"z":1,"a":2,"10":"ten","9":"nine"}`,
	`{"url":"https:\/\/a.example\/x","e":"\u00e9","pair":"\ud83d\ude00","tab":"\t"}`,
	`{"n":[1e3,-0.0,1.7976931348623157e308,1E+2,0.10,-1.5e-7]}`,
	`{"a":1,"a":2}`,
	`{ "spaced" : [ 1 , 2 ] ,` + "\n\t" + `"raw":"été ☃ 😀" }`,
	`[1,"two",null,true,{}]`,
	`"just a string"`,
	`1e131071`,
	`0.` + zeros(16382) + `1`,
}

// RefusedData is event data that no store takes: PostgreSQL cannot hold it in
// the seed's JSONB payload, and SQLite must answer alike.
var RefusedData = []string{
	`{"note":"a\u0000b"}`,
	`{"s":"\ud800"}`,
	`{"s":"\udc00\ud800"}`,
	`{"s":"\ud800\u0041"}`,
	`{"s":"caf` + "\xe9" + ` \xff"}`,
	`{"n":1e131072}`,
	`{"n":1e-16384}`,
	`{"n":0e1073741823}`,
	`{"n":1e99999999999}`,
	`{"n":0.` + zeros(16384) + `}`,
	`{"a":`,
}

func zeros(n int) string { return strings.Repeat("0", n) }

var dataTests = []test{
	{"PublishKeepsDataByteForByte", func(t *testing.T, f *fixture) {
		f.endpoint()
		for _, data := range ExactData {
			ev := store.Event{Type: "data.exact", Data: json.RawMessage(" \n" + data + "\t ")}
			res, err := f.s.Publish(f.ctx, ev, store.PublishOptions{})
			if err != nil {
				t.Fatalf("publish %.60s: %v", data, err)
			}
			if string(res.Event.Data) != data {
				t.Errorf("published data %.60q, want %.60q", res.Event.Data, data)
			}
			stored, err := f.s.GetEvent(f.ctx, res.Event.ID)
			if err != nil || string(stored.Data) != data {
				t.Errorf("stored data %.60q (%v), want %.60q", stored.Data, err, data)
			}
			claimed := f.claimOne()
			if string(claimed.Event.Data) != data {
				t.Errorf("claimed data %.60q, want %.60q", claimed.Event.Data, data)
			}
			f.complete(store.HealthPolicy{}, delivered(claimed))
		}
	}},
	{"PublishRefusesDataNoStoreKeeps", func(t *testing.T, f *fixture) {
		f.endpoint()
		for _, data := range RefusedData {
			_, err := f.s.Publish(f.ctx, store.Event{Type: "data.refused", Data: json.RawMessage(data)}, store.PublishOptions{})
			var fe *store.FieldError
			if !errors.As(err, &fe) || fe.Field != "data" {
				t.Errorf("publish %.60q: %v, want a *store.FieldError for data", data, err)
			}
		}
		if ds := f.list(store.DeliveryFilter{}); len(ds) != 0 {
			t.Errorf("refused publishes made %d deliveries", len(ds))
		}
	}},
}
