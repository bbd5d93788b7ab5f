package store

import "net/http"

// reservedHeaders are set by hookrelay on every request (internal/delivery's
// sender); an endpoint's custom headers can never override them.
var reservedHeaders = map[string]bool{
	"Content-Type": true, "Content-Length": true, "User-Agent": true, "Host": true,
	"X-Event-Id": true, "X-Event-Type": true, "X-Timestamp": true, "X-Signature": true,
	"Webhook-Id": true, "Webhook-Timestamp": true, "Webhook-Signature": true,
	"X-Ackify-Event": true, "X-Ackify-Event-Id": true, "X-Ackify-Timestamp": true, "X-Ackify-Signature": true,
	// The W3C trace context of the attempt: sent unless the trace header
	// is turned off, and never an endpoint's own (a fixed traceparent would
	// join every request to one trace).
	"Traceparent": true, "Tracestate": true,
}

// IsReservedHeader reports whether name (in any case) is a header that
// hookrelay sets itself on every request, which an endpoint's custom
// headers may not set (internal/service) and whose values are shown
// unmasked (internal/api).
func IsReservedHeader(name string) bool {
	return reservedHeaders[http.CanonicalHeaderKey(name)]
}
