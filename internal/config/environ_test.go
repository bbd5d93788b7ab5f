package config

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"
)

// TestEnvironRoundTrips checks that the environment Environ writes, read back
// by the same parser as `hookrelay serve`, gives the settings it was made from.
func TestEnvironRoundTrips(t *testing.T) {
	want := validServe()
	want.EndpointURLs = []string{"https://a.example/hook", "https://b.example/hook"}
	want.EndpointSecret = "s3cret-s3cret-s3cret"
	want.Lease = 2 * time.Minute
	want.AllowPrivate = true
	env, err := Environ(&want)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(env, "HOOKRELAY_CONCURRENCY=64") || !slices.Contains(env, "HOOKRELAY_POLL_INTERVAL=1s") {
		t.Errorf("environment lacks the delivery settings: %v", env)
	}
	for _, kv := range env {
		name, value, _ := strings.Cut(kv, "=")
		t.Setenv(name, value)
	}
	var got Serve
	parser, err := kong.New(&got, Vars())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parser.Parse(nil); err != nil {
		t.Fatalf("parse the environment back: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip changed the settings:\n got %+v\nwant %+v", got, want)
	}
}

func TestEnvironRejectsUnsupportedTypes(t *testing.T) {
	if _, err := Environ(struct {
		F float64 `env:"F"`
	}{}); err == nil || !strings.Contains(err.Error(), "F") {
		t.Errorf("want an error naming F, got %v", err)
	}
	if _, err := Environ(42); err == nil {
		t.Error("want an error for a non-struct")
	}
}
