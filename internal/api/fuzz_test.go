package api_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/api"
	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/store/sqlite"
)

// FuzzRequestBodies sends arbitrary bodies to the routes that read one: the
// answer is always a success or a JSON client error, never a 500 or a panic.
func FuzzRequestBodies(f *testing.F) {
	for _, seed := range []string{
		`{"url":"http://127.0.0.1/","events":["a.*"],"headers":{"X-A":"1"}}`, `{"type":"a.b","data":{"x":[1,2]}}`,
		`{"title":null}`, `{"url":"http://[::1"}`, `{"events":[""]}`, `{"max_retries":1e99}`, `[`, `{}{}`, "\x00",
		`{"reason":"x"}`, `{"secret":"whsec_===="}`, `{"created_after":"2026-01-01T00:00:00Z"}`,
	} {
		f.Add(seed)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatalf("open sqlite: %v", err)
	}
	f.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		f.Fatalf("migrate: %v", err)
	}
	handler := api.New(api.Options{Store: st, AllowPrivateTargets: true})
	routes := []string{
		"POST /v1/webhooks", "PATCH /v1/webhooks/1", "POST /v1/webhooks/1/disable", "POST /v1/webhooks/1/rotate-secret",
		"POST /v1/events", "POST /v1/deliveries/replay",
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, route := range routes {
			method, path, _ := strings.Cut(route, " ")
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
			if rec.Code >= 500 {
				t.Fatalf("%s %q: status %d: %s", route, body, rec.Code, rec.Body)
			}
			if rec.Code >= 400 {
				var e wire.ErrorBody
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code == "" {
					t.Fatalf("%s %q: error answer %d is not the error document: %s", route, body, rec.Code, rec.Body)
				}
			}
		}
	})
}
