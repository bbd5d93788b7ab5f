package store

import "strings"

// The W3C Trace Context limits (https://www.w3.org/TR/trace-context/#tracestate-limits)
// on a tracestate that is stored and sent on.
const (
	// MaxTraceStateLength is the longest tracestate kept, in bytes.
	MaxTraceStateLength = 512
	// MaxTraceStateMembers is the most list members a kept tracestate has.
	MaxTraceStateMembers = 32
)

// TraceContext returns the trace context to store with an event, from the
// traceparent and tracestate a publisher gave: parent when it is a valid
// W3C traceparent of version 00 ("00-" 32 lower-case hex digits of trace
// ID, "-" 16 of parent ID, "-" 2 of flags, neither ID all zeros), else "";
// state when parent is kept and state is printable ASCII within
// MaxTraceStateLength bytes and MaxTraceStateMembers members, else "". A
// context that is not valid is dropped, never an error: tracing must not
// refuse a publish.
func TraceContext(parent, state string) (traceParent, traceState string) {
	if !validTraceParent(parent) {
		return "", ""
	}
	if len(state) > MaxTraceStateLength || strings.Count(state, ",") >= MaxTraceStateMembers {
		return parent, ""
	}
	for i := 0; i < len(state); i++ {
		if state[i] < ' ' || state[i] > '~' {
			return parent, ""
		}
	}
	return parent, strings.TrimSpace(state)
}

// validTraceParent reports whether p is a W3C traceparent of version 00
// with a trace ID and a parent ID that are not all zeros.
func validTraceParent(p string) bool {
	if len(p) != 55 || p[:3] != "00-" || p[35] != '-' || p[52] != '-' {
		return false
	}
	traceID, parentID, flags := p[3:35], p[36:52], p[53:55]
	return lowerHex(traceID) && lowerHex(parentID) && lowerHex(flags) &&
		strings.Trim(traceID, "0") != "" && strings.Trim(parentID, "0") != ""
}

func lowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
