package ui

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestAPITransport(t *testing.T) {
	var gotBody, gotURI string
	rt := apiTransport{api: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		gotBody, gotURI = string(b), r.RequestURI
		w.Header().Set("X-Answer", "yes")
		w.WriteHeader(http.StatusTeapot)
		w.WriteHeader(http.StatusOK) // ignored, as by a server
		_, _ = w.Write([]byte("short and stout"))
	})}
	req, _ := http.NewRequest(http.MethodPost, apiBaseURL+"/v1/x?y=1", strings.NewReader("in"))
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusTeapot || resp.Header.Get("X-Answer") != "yes" || string(body) != "short and stout" ||
		resp.ContentLength != int64(len(body)) || gotBody != "in" || gotURI != "/v1/x?y=1" {
		t.Fatalf("answer %d %v %q; handler saw %q at %q", resp.StatusCode, resp.Header, body, gotBody, gotURI)
	}

	silent := apiTransport{api: http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})}
	req, _ = http.NewRequest(http.MethodGet, apiBaseURL+"/", nil)
	if resp, err := silent.RoundTrip(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("a handler that writes nothing: %v, %v", resp, err)
	}
}
