package tracing

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// env is a getenv over a map.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// TestSetupIsOffWithoutAnExporter: without an exporter named or an OTLP
// endpoint, with OTEL_SDK_DISABLED, or with OTEL_TRACES_EXPORTER=none,
// Setup returns a no-op provider whose spans record nothing.
func TestSetupIsOffWithoutAnExporter(t *testing.T) {
	for name, vars := range map[string]map[string]string{
		"nothing set":   {},
		"only a name":   {"OTEL_SERVICE_NAME": "x", "OTEL_TRACES_SAMPLER": "always_on"},
		"disabled":      {"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"},
		"exporter none": {"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"},
	} {
		tp, err := Setup(t.Context(), env(vars), "test")
		if err != nil || tp.Enabled {
			t.Errorf("%s: enabled %v (%v), want off", name, tp.Enabled, err)
			continue
		}
		if _, span := tp.Tracer("t").Start(t.Context(), "s"); span.IsRecording() {
			t.Errorf("%s: the span records", name)
		}
		if err := tp.Shutdown(t.Context()); err != nil {
			t.Errorf("%s: shutdown: %v", name, err)
		}
	}
}

// TestSetupBuildsTheExporterTheEnvironmentNames: an OTLP endpoint turns
// OTLP over http/protobuf on, OTEL_EXPORTER_OTLP_PROTOCOL=grpc switches it
// to gRPC, and the spans record; an unknown protocol or exporter is an
// error that names its variable.
func TestSetupBuildsTheExporterTheEnvironmentNames(t *testing.T) {
	for _, tc := range []struct {
		vars map[string]string
		want string // the exporter label, or the error's variable
	}{
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1"}, "otlp (http/protobuf)"},
		{map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:1/v1/traces"}, "otlp (http/protobuf)"},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, "otlp (grpc)"},
		{map[string]string{"OTEL_TRACES_EXPORTER": "console"}, "console"},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"}, "OTEL_EXPORTER_OTLP_PROTOCOL: "},
		{map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, "OTEL_TRACES_EXPORTER: "},
	} {
		tp, err := Setup(t.Context(), env(tc.vars), "test")
		if strings.HasSuffix(tc.want, ": ") {
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) || !errors.Is(err, ErrSetting) {
				t.Errorf("%v: error %v, want one naming %s", tc.vars, err, tc.want)
			}
			continue
		}
		if err != nil || !tp.Enabled || len(tp.Exporters) != 1 || tp.Exporters[0] != tc.want {
			t.Errorf("%v: enabled %v, exporters %v (%v), want %s", tc.vars, tp.Enabled, tp.Exporters, err, tc.want)
			continue
		}
		if _, span := tp.Tracer("t").Start(t.Context(), "s"); !span.IsRecording() {
			t.Errorf("%v: the span does not record", tc.vars)
		}
		// Nothing listens at the endpoint: the flush fails or gives up,
		// within the context, and never hangs.
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		_ = tp.Shutdown(ctx)
		cancel()
	}
}

// TestSetupRefusesSettingsTheSDKMisuses: values that the SDK would crash on
// (a negative queue size), exhaust memory or a core with (a huge queue, a
// schedule delay of 0), or silently replace (an unknown sampler, a ratio
// out of range, an endpoint that is not an http(s) URL, for gRPC too) are
// errors that name their variable, match ErrSetting, and never print the
// OTLP headers.
func TestSetupRefusesSettingsTheSDKMisuses(t *testing.T) {
	const secret = "Authorization=Bearer%20s3cr3t-token"
	for _, tc := range []struct{ variable, value string }{
		{"OTEL_BSP_MAX_QUEUE_SIZE", "-1"},
		{"OTEL_BSP_MAX_QUEUE_SIZE", "4000000000"},
		{"OTEL_BSP_MAX_QUEUE_SIZE", "lots"},
		{"OTEL_BSP_SCHEDULE_DELAY", "0"},
		{"OTEL_BSP_EXPORT_TIMEOUT", "-5"},
		{"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "4096"}, // above the default queue
		{"OTEL_TRACES_SAMPLER", "nonsense"},
		{"OTEL_TRACES_SAMPLER_ARG", "1.5"},
		{"OTEL_TRACES_SAMPLER_ARG", "half"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://[::1"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "127.0.0.1:4318"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4317"},
		{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "ftp://collector/v1/traces"},
	} {
		vars := map[string]string{
			"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1",
			"OTEL_EXPORTER_OTLP_HEADERS":  secret,
			"OTEL_TRACES_SAMPLER":         "parentbased_traceidratio",
		}
		vars[tc.variable] = tc.value
		for _, protocol := range []string{ProtocolHTTP, ProtocolGRPC} {
			vars["OTEL_EXPORTER_OTLP_PROTOCOL"] = protocol
			tp, err := Setup(t.Context(), env(vars), "test")
			if err == nil {
				_ = tp.Shutdown(t.Context())
			}
			if err == nil || !errors.Is(err, ErrSetting) || !strings.HasPrefix(err.Error(), tc.variable+": ") || tp.Enabled {
				t.Errorf("%s=%s (%s): %v, want an ErrSetting naming %s, tracing off", tc.variable, tc.value, protocol, err, tc.variable)
			} else if strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("%s=%s: the error prints the OTLP headers: %v", tc.variable, tc.value, err)
			}
		}
	}
	// The bounds themselves are accepted.
	vars := map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": "https://collector.example:4318", "OTEL_BSP_MAX_QUEUE_SIZE": "100000",
		"OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "100000", "OTEL_BSP_SCHEDULE_DELAY": "10", "OTEL_TRACES_SAMPLER": "traceidratio",
		"OTEL_TRACES_SAMPLER_ARG": "0",
	}
	tp, err := Setup(t.Context(), env(vars), "test")
	if err != nil || !tp.Enabled {
		t.Fatalf("Setup with values at their bounds: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_ = tp.Shutdown(ctx)
}

// TestSetupExportsToPlainHTTPOnLocalhostByDefault: with
// OTEL_TRACES_EXPORTER=otlp and no endpoint, the exporter sends to the
// specification's defaults, http://localhost:4318 (http/protobuf) and
// http://localhost:4317 (grpc), without TLS: a loopback collector that
// speaks plain HTTP, standing in for the default, receives the spans.
func TestSetupExportsToPlainHTTPOnLocalhostByDefault(t *testing.T) {
	if got := defaultEndpoints[ProtocolHTTP]; got != "http://localhost:4318/v1/traces" {
		t.Errorf("http/protobuf default %q", got)
	}
	if got := defaultEndpoints[ProtocolGRPC]; got != "http://localhost:4317" {
		t.Errorf("grpc default %q", got)
	}
	received := make(chan string, 10)
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		received <- r.Method + " " + r.URL.Path + " " + r.Header.Get("Content-Type")
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	t.Cleanup(collector.Close)
	saved := defaultEndpoints[ProtocolHTTP]
	defaultEndpoints[ProtocolHTTP] = collector.URL + "/v1/traces"
	t.Cleanup(func() { defaultEndpoints[ProtocolHTTP] = saved })

	tp, err := Setup(t.Context(), env(map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}), "test")
	if err != nil || !tp.Enabled {
		t.Fatalf("setup: enabled %v, %v", tp.Enabled, err)
	}
	_, span := tp.Tracer("t").Start(t.Context(), "s")
	span.End()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := tp.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown (the export failed): %v", err)
	}
	select {
	case got := <-received:
		if got != "POST /v1/traces application/x-protobuf" {
			t.Errorf("collector received %q", got)
		}
	default:
		t.Fatal("the collector received nothing")
	}
}
