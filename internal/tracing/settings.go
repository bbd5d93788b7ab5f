package tracing

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// bspLimits are the ranges that the batch span processor's variables must
// fall in (the SDK takes any value: a negative queue size panics, a huge one
// exhausts memory, a schedule delay of 0 spins a core).
var bspLimits = []struct {
	variable string
	min, max int
	unit     string
}{
	{"OTEL_BSP_SCHEDULE_DELAY", 10, 600_000, " ms"},
	{"OTEL_BSP_EXPORT_TIMEOUT", 1, 600_000, " ms"},
	{"OTEL_BSP_MAX_QUEUE_SIZE", 1, 100_000, ""},
	{"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 1, 100_000, ""},
}

// samplers are the values of OTEL_TRACES_SAMPLER that the SDK implements
// (the specification's, less the Jaeger and X-Ray remote samplers); those
// with a ratio read it from OTEL_TRACES_SAMPLER_ARG.
var samplers = map[string]bool{
	"always_on": false, "always_off": false, "traceidratio": true,
	"parentbased_always_on": false, "parentbased_always_off": false, "parentbased_traceidratio": true,
}

// checkSettings refuses the OTEL_* variables that the SDK would take and
// then misbehave with, or silently replace: batch processor sizes and delays
// out of bspLimits, a sampler it does not know or a ratio outside [0, 1],
// an OTLP endpoint that is not an absolute http or https URL (the
// specification's rule for every protocol, gRPC included). Errors name the
// variable, never its value when it may hold a credential, and match
// ErrSetting.
func checkSettings(getenv func(string) string) error {
	var errs []error
	sizes := map[string]int{}
	for _, l := range bspLimits {
		raw := strings.TrimSpace(getenv(l.variable))
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < l.min || n > l.max {
			errs = append(errs, fmt.Errorf("%s: must be an integer from %d to %d%s, got %q: %w", l.variable, l.min, l.max, l.unit, raw, ErrSetting))
			continue
		}
		sizes[l.variable] = n
	}
	queue, ok := sizes["OTEL_BSP_MAX_QUEUE_SIZE"]
	if !ok {
		queue = 2048 // the specification's default
	}
	if batch, ok := sizes["OTEL_BSP_MAX_EXPORT_BATCH_SIZE"]; ok && batch > queue {
		errs = append(errs, fmt.Errorf("OTEL_BSP_MAX_EXPORT_BATCH_SIZE: must be at most OTEL_BSP_MAX_QUEUE_SIZE (%d), got %d: %w", queue, batch, ErrSetting))
	}
	if err := checkSampler(getenv); err != nil {
		errs = append(errs, err)
	}
	for _, variable := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"} {
		if err := checkEndpoint(getenv(variable)); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w: %w", variable, err, ErrSetting))
		}
	}
	return errors.Join(errs...)
}

// checkSampler checks OTEL_TRACES_SAMPLER and, for a ratio sampler,
// OTEL_TRACES_SAMPLER_ARG.
func checkSampler(getenv func(string) string) error {
	name := strings.ToLower(strings.TrimSpace(getenv("OTEL_TRACES_SAMPLER")))
	if name == "" {
		return nil
	}
	ratio, known := samplers[name]
	if !known {
		return fmt.Errorf("OTEL_TRACES_SAMPLER: %q is not supported: use always_on, always_off, traceidratio or parentbased_ of one of them: %w", name, ErrSetting)
	}
	arg := strings.TrimSpace(getenv("OTEL_TRACES_SAMPLER_ARG"))
	if !ratio || arg == "" {
		return nil
	}
	if r, err := strconv.ParseFloat(arg, 64); err != nil || !(r >= 0 && r <= 1) {
		return fmt.Errorf("OTEL_TRACES_SAMPLER_ARG: must be a ratio from 0 to 1 for %s, got %q: %w", name, arg, ErrSetting)
	}
	return nil
}

// checkEndpoint checks an OTLP endpoint, when set: an absolute http or
// https URL with a host. Its text is left out of the error (it may carry
// credentials).
func checkEndpoint(raw string) error {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err
		}
		return fmt.Errorf("not a URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return errors.New("must be an absolute http:// or https:// URL (with a host)")
	}
	return nil
}
