package receiver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/hookrelay/hookrelay/internal/mask"
	"github.com/hookrelay/hookrelay/signature"
)

// report is what the receiver kit prints about one request.
type report struct {
	header   http.Header
	body     []byte
	verified signature.Verified
	err      error // nil when the request is valid
	secrets  int   // how many candidate secrets were tried
	// unverified: no secret was given, the signature was not checked.
	unverified bool
}

// verdict is the first line of a report: "valid (…)" or "invalid: <reason>".
func (r report) verdict() string {
	if r.err != nil {
		return "invalid: " + r.err.Error()
	}
	if r.unverified {
		return "UNVERIFIED: no --secret given, the signature was not checked"
	}
	which := "the secret"
	if r.secrets > 1 {
		which = fmt.Sprintf("secret %d of %d", r.verified.SecretIndex+1, r.secrets)
	}
	return fmt.Sprintf("valid (%s headers, %s)", r.verified.Scheme, which)
}

// eventID is the verified id, or for a rejected request the id it claims.
func (r report) eventID() string {
	if r.err == nil && !r.unverified {
		return r.verified.ID
	}
	return firstHeader(r.header, signature.HeaderWebhookID, signature.HeaderEventID, signature.HeaderAckifyEventID)
}

// eventType comes from X-Event-Type, X-Ackify-Event, or the body's "type".
func (r report) eventType() string {
	if t := firstHeader(r.header, "X-Event-Type", signature.HeaderAckifyEvent); t != "" {
		return t
	}
	var envelope struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(r.body, &envelope) == nil {
		return envelope.Type
	}
	return ""
}

// write prints the report's lines, each prefixed by indent, and the body.
func (r report) write(w io.Writer, indent string) {
	var b bytes.Buffer
	line := func(label, value string) {
		if value == "" {
			value = "-"
		}
		fmt.Fprintf(&b, "%s%-10s %s\n", indent, label, value)
	}
	line("result", r.verdict())
	line("event id", r.eventID())
	line("type", r.eventType())
	if r.err == nil && !r.unverified {
		ts := r.verified.Timestamp
		line("signed at", fmt.Sprintf("%s (%d)", ts.UTC().Format(time.RFC3339), ts.Unix()))
	}
	line("body", fmt.Sprintf("%d bytes", len(r.body)))
	if len(r.body) > 0 {
		for _, l := range strings.Split(prettyBody(r.body), "\n") {
			fmt.Fprintf(&b, "%s  %s\n", indent, l)
		}
	}
	_, _ = w.Write(b.Bytes())
}

// prettyBody indents a JSON body; any other body is shown as it is.
func prettyBody(body []byte) string {
	var out bytes.Buffer
	if err := json.Indent(&out, body, "", "  "); err != nil {
		return strings.TrimRight(string(body), "\n")
	}
	return out.String()
}

// firstHeader returns the first non-empty value among names.
func firstHeader(h http.Header, names ...string) string {
	for _, n := range names {
		if v := h.Get(n); v != "" {
			return v
		}
	}
	return ""
}

// maskSecret shows enough of a secret to tell it apart, never more than
// mask.Secret shows, and its length: "whsec_…LaSw (38 chars)".
func maskSecret(secret string) string {
	return fmt.Sprintf("%s (%d chars)", mask.Secret(secret), len(secret))
}
