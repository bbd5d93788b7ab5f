// Package tracing sets up OpenTelemetry tracing for `hookrelay serve` from
// the standard environment variables of the OpenTelemetry SDK
// (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/),
// and from nothing else: OTEL_EXPORTER_OTLP_ENDPOINT,
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL (and
// _TRACES_PROTOCOL), OTEL_TRACES_EXPORTER, OTEL_SERVICE_NAME,
// OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER(_ARG), OTEL_SDK_DISABLED,
// and those the exporters and the batch processor read themselves
// (OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT, _COMPRESSION, OTEL_BSP_*, …).
//
// Tracing is on when an exporter is named (OTEL_TRACES_EXPORTER other than
// none) or an OTLP endpoint is set; otherwise, or with OTEL_SDK_DISABLED
// true, Setup returns a no-op provider: no exporter, no goroutine, and the
// spans hookrelay starts record nothing. OTEL_TRACES_EXPORTER=otlp without
// an endpoint exports to the specification's defaults, without TLS:
// http://localhost:4318 (http/protobuf) or http://localhost:4317 (grpc).
//
// The library (package hookrelay) never imports this package: an
// application brings its own provider (hookrelay.Config.TracerProvider),
// so that the SDK and its exporters are linked into `serve` only.
package tracing

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// DefaultServiceName is the service.name of hookrelay's spans when
// neither OTEL_SERVICE_NAME nor OTEL_RESOURCE_ATTRIBUTES names one.
const DefaultServiceName = "hookrelay"

// The OTLP protocols that OTEL_EXPORTER_OTLP_PROTOCOL may name.
const (
	ProtocolHTTP = "http/protobuf" // the default
	ProtocolGRPC = "grpc"
)

// ErrSetting matches the errors of Setup that an OTEL_* variable causes:
// serve exits with code 2, as for its own settings.
var ErrSetting = errors.New("invalid OpenTelemetry setting")

// defaultEndpoints are the OTLP endpoints, by protocol, that the exporter
// uses when neither OTEL_EXPORTER_OTLP_ENDPOINT nor
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set: the specification's defaults,
// plain HTTP on localhost (the Go exporters would otherwise dial
// localhost with TLS). A variable so that a test can point them at its
// loopback collector.
var defaultEndpoints = map[string]string{
	ProtocolHTTP: "http://localhost:4318/v1/traces",
	ProtocolGRPC: "http://localhost:4317",
}

// Provider is the tracer provider Setup made, with what ends it.
type Provider struct {
	trace.TracerProvider
	// Enabled reports whether spans are exported (false: a no-op provider).
	Enabled bool
	// Exporters names the exporters in use, for the startup log
	// ("otlp (http/protobuf)", "console").
	Exporters []string
	sdk       *sdktrace.TracerProvider
}

// Shutdown flushes the spans not yet exported and stops the exporters,
// within ctx. It does nothing for a no-op provider.
func (p Provider) Shutdown(ctx context.Context) error {
	if p.sdk == nil {
		return nil
	}
	if err := p.sdk.Shutdown(ctx); err != nil {
		return fmt.Errorf("tracing: flush spans: %w", err)
	}
	return nil
}

// Setup returns the tracer provider that the environment asks for, as the
// package doc says: getenv (os.Getenv in serve) decides whether tracing is
// on and which exporters run; the exporters, the sampler and the resource
// read the rest of the process environment themselves, as the SDK does,
// once checkSettings has refused the values they would misbehave with or
// silently replace. Errors name the variable at fault and match ErrSetting. version is hookrelay's, the
// service.version.
func Setup(ctx context.Context, getenv func(string) string, version string) (Provider, error) {
	off := Provider{TracerProvider: noop.NewTracerProvider()}
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return off, nil
	}
	names := exporterNames(getenv)
	if names == nil {
		return off, nil
	}
	if err := checkSettings(getenv); err != nil {
		return off, err
	}
	var opts []sdktrace.TracerProviderOption
	p := Provider{Enabled: true}
	for _, name := range names {
		exp, label, err := newExporter(ctx, getenv, name)
		if err != nil {
			return off, err
		}
		opts = append(opts, sdktrace.WithBatcher(exp))
		p.Exporters = append(p.Exporters, label)
	}
	// Later sources win: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES
	// over the default name.
	res, err := resource.New(ctx,
		resource.WithTelemetrySDK(),
		resource.WithAttributes(attribute.String("service.name", DefaultServiceName), attribute.String("service.version", version)),
		resource.WithFromEnv())
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return off, fmt.Errorf("OTEL_RESOURCE_ATTRIBUTES: %w: %w", ErrSetting, err)
	}
	// The sampler comes from OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG
	// (the SDK reads them; parentbased_always_on when unset).
	p.sdk = sdktrace.NewTracerProvider(append(opts, sdktrace.WithResource(res))...)
	p.TracerProvider = p.sdk
	return p, nil
}

// exporterNames returns the exporters to build: OTEL_TRACES_EXPORTER's
// list without "none", or otlp when it is unset and an OTLP endpoint is
// set; nil when there is none, and tracing is off.
func exporterNames(getenv func(string) string) []string {
	list := strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER"))
	if list == "" {
		if getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" && getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" {
			return nil
		}
		return []string{"otlp"}
	}
	var names []string
	for name := range strings.SplitSeq(list, ",") {
		if name = strings.ToLower(strings.TrimSpace(name)); name != "" && name != "none" {
			names = append(names, name)
		}
	}
	return names
}

// newExporter builds the exporter name (of OTEL_TRACES_EXPORTER) and
// returns it with its label for the startup log.
func newExporter(ctx context.Context, getenv func(string) string, name string) (sdktrace.SpanExporter, string, error) {
	switch name {
	case "otlp":
		protocol := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"))
		variable := "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
		if protocol == "" {
			protocol, variable = strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_PROTOCOL")), "OTEL_EXPORTER_OTLP_PROTOCOL"
		}
		if protocol == "" {
			protocol = ProtocolHTTP
		}
		defaultURL := ""
		if getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" && getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" {
			defaultURL = defaultEndpoints[protocol]
		}
		var exp sdktrace.SpanExporter
		var err error
		switch protocol {
		case ProtocolHTTP:
			var opts []otlptracehttp.Option
			if defaultURL != "" {
				opts = append(opts, otlptracehttp.WithEndpointURL(defaultURL))
			}
			exp, err = otlptracehttp.New(ctx, opts...)
		case ProtocolGRPC:
			var opts []otlptracegrpc.Option
			if defaultURL != "" {
				opts = append(opts, otlptracegrpc.WithEndpointURL(defaultURL))
			}
			exp, err = otlptracegrpc.New(ctx, opts...)
		default:
			return nil, "", fmt.Errorf("%s: %q is not supported: use %s or %s: %w", variable, protocol, ProtocolHTTP, ProtocolGRPC, ErrSetting)
		}
		if err != nil {
			return nil, "", fmt.Errorf("OTEL_EXPORTER_OTLP_ENDPOINT: %w: %w", ErrSetting, err)
		}
		return exp, "otlp (" + protocol + ")", nil
	case "console":
		exp, err := stdouttrace.New(stdouttrace.WithWriter(os.Stdout))
		if err != nil {
			return nil, "", fmt.Errorf("OTEL_TRACES_EXPORTER: console: %w", err)
		}
		return exp, "console", nil
	}
	return nil, "", fmt.Errorf("OTEL_TRACES_EXPORTER: %q is not supported: use otlp, console or none: %w", name, ErrSetting)
}
