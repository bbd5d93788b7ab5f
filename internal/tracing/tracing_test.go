package tracing

import (
	"context"
	"errors"
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
