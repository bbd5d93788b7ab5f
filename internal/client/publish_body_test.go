package client_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/client"
)

// The event data a client publishes reaches the API byte for byte: inner
// spaces, key order, escapes and number spellings as given (encoding/json
// alone would compact them).
func TestPublishSendsDataAsGiven(t *testing.T) {
	const data = `{ "sp" : [ 1 , 2 ] , "n":1e3, "s":"\u00e9\/<&>", "x":{ } }`
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/batch") {
			_, _ = io.WriteString(w, `{"results":[]}`)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"event_id":"x","created":true,"deliveries":0,"event":{"id":"x","type":"t","data":{}}}`)
	}))
	t.Cleanup(srv.Close)
	c, err := client.New(srv.URL, "", srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	req := wire.PublishRequest{Type: "t.x", Data: json.RawMessage(data), Priority: 2}
	if _, err := c.PublishEvent(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PublishEvents(t.Context(), wire.PublishBatchRequest{Events: []wire.PublishRequest{req, {Type: "t.y"}}}); err != nil {
		t.Fatal(err)
	}
	if len(bodies) != 2 {
		t.Fatalf("%d requests, want 2", len(bodies))
	}
	one := `{"type":"t.x","priority":2,"data":` + data + `}`
	if bodies[0] != one {
		t.Errorf("single body\n%s\nwant\n%s", bodies[0], one)
	}
	if want := `{"events":[` + one + `,{"type":"t.y"}]}`; bodies[1] != want {
		t.Errorf("batch body\n%s\nwant\n%s", bodies[1], want)
	}
	for _, b := range bodies {
		if !json.Valid([]byte(b)) {
			t.Errorf("body is not JSON: %s", b)
		}
	}
	if _, err := c.PublishEvent(t.Context(), wire.PublishRequest{Type: "t", Data: json.RawMessage(`{`)}); err == nil {
		t.Error("invalid data was sent")
	}
}
