package delivery

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/hookrelay/hookrelay/internal/mask"
	"github.com/hookrelay/hookrelay/internal/netguard"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/encrypted"
	"github.com/hookrelay/hookrelay/internal/tracecontext"
	"github.com/hookrelay/hookrelay/signature"
)

// Version is the hookrelay version sent in the User-Agent header.
const Version = "0.1.0"

// AckifyUserAgent is the User-Agent of requests under the ackify profile,
// the one Ackify CE's own webhook worker sends.
const AckifyUserAgent = "Ackify-Webhooks/1.0"

const (
	// storedBodyBytes is how much of a response body the delivery record keeps.
	storedBodyBytes = 4 << 10
	// drainBodyBytes is how much of a response body is read so that the
	// connection can be reused; a longer body closes the connection instead.
	drainBodyBytes = 64 << 10
)

// SenderOptions configure a Sender.
type SenderOptions struct {
	// Timeout bounds one whole attempt: connect, request, and reading the answer.
	Timeout time.Duration
	// MaxIdlePerHost is the number of keep-alive connections kept per endpoint.
	MaxIdlePerHost int
	// AllowPrivate lets every endpoint reach addresses that are not globally
	// routable (see netguard).
	// Endpoints from WEBHOOK_URLS may always, as the operator configured them.
	AllowPrivate bool
	// Client replaces both HTTP clients (for embedding); nil builds them.
	Client *http.Client
	// DefaultProfile is the signature profile of endpoints whose row names
	// none (rows that Ackify CE or WEBHOOK_URLS created):
	// store.ProfileStandard (when empty) or store.ProfileAckify
	// (HOOKRELAY_SIGNATURE_PROFILE).
	DefaultProfile string
	// OmitTraceHeader leaves out the traceparent and tracestate headers
	// that requests otherwise carry (see Send); false: they are sent.
	OmitTraceHeader bool
}

// Sender signs and posts one delivery and reports what happened.
type Sender struct {
	timeout        time.Duration
	defaultProfile string
	traceHeader    bool
	guarded        *http.Client // for endpoints created through the API
	trusted        *http.Client // for endpoints configured by the operator
}

// NewSender builds a Sender with shared keep-alive HTTP clients.
func NewSender(opts SenderOptions) *Sender {
	s := &Sender{timeout: opts.Timeout, defaultProfile: opts.DefaultProfile, traceHeader: !opts.OmitTraceHeader}
	if opts.Client != nil {
		s.guarded, s.trusted = opts.Client, opts.Client
		return s
	}
	s.trusted = newClient(opts.MaxIdlePerHost, false)
	if opts.AllowPrivate {
		s.guarded = s.trusted
	} else {
		s.guarded = newClient(opts.MaxIdlePerHost, true)
	}
	return s
}

// newClient builds a keep-alive client; a guarded one dials only global
// addresses (netguard.Dialer), checked on the address actually dialled.
func newClient(maxIdlePerHost int, guarded bool) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	dial := dialer.DialContext
	if guarded {
		dial = netguard.Dialer(dialer)
	}
	transport := &http.Transport{
		DialContext:            dial,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           0,
		MaxIdleConnsPerHost:    max(maxIdlePerHost, 2),
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &http.Client{
		Transport: transport,
		// Redirects are not followed: a 3xx is a retryable answer, so that a
		// target cannot bounce hookrelay to an address it would refuse.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// SendResult is the record of one attempt and what it means.
type SendResult struct {
	Attempt    store.Attempt
	Class      Class
	RetryAfter time.Duration
	// AnsweredChallenge reports that the attempt was the endpoint's
	// challenge (store.EndpointVerification) and its 2xx answer echoed it
	// (signature.AnswersChallenge).
	AnsweredChallenge bool
	// SpanContext is the span context the attempt ran in (its span, or
	// the publisher's stored one when tracing is off; invalid when
	// neither), for the logs and the metrics' exemplars.
	SpanContext trace.SpanContext
}

// AsksToSlowDown reports whether the answer asks its sender to slow down:
// an answer that did not deliver and is 429 Too Many Requests or carries a
// Retry-After. Such an outcome lowers the rate of an endpoint that has a
// rate limit (store.RateState.SlowDown).
func (r SendResult) AsksToSlowDown() bool {
	if r.Class == Delivered {
		return false
	}
	s := r.Attempt.ResponseStatus
	return r.RetryAfter > 0 || s != nil && *s == http.StatusTooManyRequests
}

// Envelope returns the JSON body sent for an event:
// {"id","type","timestamp" (RFC 3339, when it was published),"data"}.
// The data is written as stored: the store validated it at publish time, so
// it is not parsed again for every attempt.
func Envelope(ev store.Event) ([]byte, error) {
	data := bytes.TrimSpace(ev.Data)
	if len(data) == 0 {
		data = []byte("{}")
	}
	id, err := json.Marshal(ev.ID)
	if err != nil {
		return nil, err
	}
	eventType, err := json.Marshal(ev.Type)
	if err != nil {
		return nil, err
	}
	body := make([]byte, 0, len(data)+len(id)+len(eventType)+80)
	body = append(body, `{"id":`...)
	body = append(body, id...)
	body = append(body, `,"type":`...)
	body = append(body, eventType...)
	body = append(body, `,"timestamp":"`...)
	body = ev.CreatedAt.UTC().AppendFormat(body, time.RFC3339Nano)
	body = append(body, `","data":`...)
	body = append(body, data...)
	return append(body, '}'), nil
}

// SigningSecrets returns the secrets that sign a request to e at now: the
// current one, and the previous one while its rotation window lasts.
func SigningSecrets(e store.Endpoint, now time.Time) []string {
	secrets := []string{e.Secret}
	if e.PreviousSecret != "" && e.PreviousSecretExpiresAt != nil && now.Before(*e.PreviousSecretExpiresAt) {
		secrets = append(secrets, e.PreviousSecret)
	}
	return secrets
}

// Send makes one attempt of c and returns its record. It never returns an
// error: a failure is an attempt result like any other. The request carries
// the traceparent and tracestate of the span context in ctx (the attempt's
// span) unless SenderOptions.OmitTraceHeader. Strings of the record
// that the receiver controls are kept as received (the store makes them
// storable: see store.FirstOutcomes).
func (s *Sender) Send(ctx context.Context, c store.Claimed) SendResult {
	started := time.Now()
	res := SendResult{Attempt: store.Attempt{
		DeliveryID: c.Delivery.ID,
		Attempt:    c.Delivery.RetryCount + 1,
		StartedAt:  started.UTC(),
	}, SpanContext: trace.SpanContextFromContext(ctx)}
	status, err := s.send(ctx, c, started, &res)
	res.Attempt.DurationMS = time.Since(started).Milliseconds()
	if err != nil {
		res.Attempt.Error = err.Error()
	} else if status < 200 || status >= 300 {
		res.Attempt.Error = fmt.Sprintf("endpoint answered %d %s", status, http.StatusText(status))
	}
	res.Class = Classify(status, err)
	checkChallengeAnswer(c, &res)
	return res
}

// checkChallengeAnswer reads the answer to an endpoint's challenge (the
// delivery of its ChallengeEventID): a 2xx whose body echoes the challenge
// (signature.AnswersChallenge, on the first storedBodyBytes) answered it;
// any other 2xx is a retryable failure. Other deliveries are left alone.
func checkChallengeAnswer(c store.Claimed, res *SendResult) {
	v := c.Endpoint.Verification
	if v.ChallengeEventID == "" || c.Event.ID != v.ChallengeEventID || c.Event.Type != store.VerificationEventType ||
		res.Class != Delivered {
		return
	}
	var data struct {
		Challenge string `json:"challenge"`
	}
	_ = json.Unmarshal(c.Event.Data, &data) // no challenge: nothing answers it
	if signature.AnswersChallenge([]byte(res.Attempt.ResponseBody), data.Challenge) {
		res.AnsweredChallenge = true
		return
	}
	res.Class = Retryable
	res.Attempt.Error = "endpoint answered 2xx without echoing the verification challenge"
}

func (s *Sender) send(ctx context.Context, c store.Claimed, now time.Time, res *SendResult) (int, error) {
	if field := encrypted.SealedField(c.Endpoint); field != "" {
		// Another process with a key wrote it; this one would sign with the
		// ciphertext. Retryable: the operator sets the key, and it goes.
		return 0, fmt.Errorf("endpoint's %s is encrypted and this process has no encryption key: nothing sent", field)
	}
	profile := c.Endpoint.ProfileOr(s.defaultProfile)
	body, err := Body(c, profile)
	if err != nil {
		return 0, fmt.Errorf("%w: build body: %v", ErrPermanent, err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Endpoint.URL, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("%w: build request: %v", ErrPermanent, err)
	}
	if err := setHeaders(req.Header, c, profile, now, body); err != nil {
		return 0, fmt.Errorf("%w: sign: %v", ErrPermanent, err)
	}
	if s.traceHeader {
		tracecontext.Inject(ctx, req.Header)
	}
	res.Attempt.RequestHeaders = recordedHeaders(req.Header)

	client := s.guarded
	if c.Endpoint.CreatedBy == store.ConfigSource {
		client = s.trusted
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, describeSendError(err, s.timeout)
	}
	defer resp.Body.Close()
	// The timeout bounds reading the answer too: a body that trickles, or
	// the raw connection that a 101 Switching Protocols answer hands over
	// (which the request's context no longer closes), is cut when it ends.
	defer context.AfterFunc(ctx, func() { resp.Body.Close() })()
	res.Attempt.ResponseStatus = &resp.StatusCode
	res.Attempt.ResponseHeaders = flatten(resp.Header)
	res.RetryAfter = ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	if resp.StatusCode < 200 {
		// A 1xx as the final answer (101: the receiver switched protocols)
		// is no answer to a webhook: retryable, its connection closed unread.
		return resp.StatusCode, fmt.Errorf("endpoint answered %d %s, not a final answer", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	stored, err := readBody(resp.Body)
	res.Attempt.ResponseBody = stored
	if err != nil && resp.StatusCode >= 200 && resp.StatusCode < 300 {
		// The answer was a success; a body cut short does not change that.
		err = nil
	}
	return resp.StatusCode, err
}

// readBody keeps the first storedBodyBytes of a body and drains up to
// drainBodyBytes more so the connection can be reused.
func readBody(r io.Reader) (string, error) {
	var buf bytes.Buffer
	if _, err := io.CopyN(&buf, r, storedBodyBytes); err != nil && !errors.Is(err, io.EOF) {
		return strings.ToValidUTF8(buf.String(), "\uFFFD"), fmt.Errorf("read response: %w", err)
	}
	_, _ = io.CopyN(io.Discard, r, drainBodyBytes)
	return strings.ToValidUTF8(buf.String(), "\uFFFD"), nil
}

// Body returns the body of a request of c under profile: for
// store.ProfileAckify the event's data bare, as Ackify CE sends its payload
// (the text that was published, byte for byte, on both stores; for a row
// that Ackify inserted without an event record, its payload as the store
// reads it, which is what Ackify's own worker sends); otherwise the event's
// Envelope.
func Body(c store.Claimed, profile string) ([]byte, error) {
	if profile == store.ProfileAckify {
		if data := bytes.TrimSpace(c.Event.Data); len(data) > 0 {
			return data, nil
		}
		return c.Delivery.Payload, nil
	}
	return Envelope(c.Event)
}

// setHeaders sets the endpoint's custom headers, then the ones of profile:
// under store.ProfileAckify exactly Ackify CE's (Content-Type, User-Agent
// Ackify-Webhooks/1.0 and the X-Ackify-* headers with one signature, by the
// current secret, even during a rotation); otherwise hookrelay's
// User-Agent, X-Event-Type and the X-* and Standard Webhooks signature
// headers, by every secret of SigningSecrets.
func setHeaders(h http.Header, c store.Claimed, profile string, now time.Time, body []byte) error {
	for name, value := range c.Endpoint.Headers {
		if !store.IsReservedHeader(name) {
			h.Set(name, value)
		}
	}
	h.Set("Content-Type", "application/json")
	if profile == store.ProfileAckify {
		h.Set("User-Agent", AckifyUserAgent)
		return signature.SetAckifyHeaders(h, c.Event.ID, c.Event.Type, now, body, c.Endpoint.Secret)
	}
	h.Set("User-Agent", "hookrelay/"+Version)
	h.Set("X-Event-Id", c.Event.ID)
	h.Set("X-Event-Type", c.Event.Type)
	return signature.SetHeaders(h, c.Event.ID, now, body, SigningSecrets(c.Endpoint, now)...)
}

func describeSendError(err error, timeout time.Duration) error {
	var netErr net.Error
	switch {
	case errors.Is(err, netguard.ErrForbiddenAddress):
		return fmt.Errorf("%w: %v", ErrPermanent, err)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Errorf("timeout after %s: %w", timeout, err)
	}
	return err
}

// recordedHeaders is the attempt's copy of the request headers: hookrelay's
// own as sent, the endpoint's custom ones with their values masked
// (mask.HeaderValue), since they may be the receiver's credentials.
func recordedHeaders(h http.Header) map[string]string {
	out := flatten(h)
	for name, value := range out {
		if !store.IsReservedHeader(name) {
			out[name] = mask.HeaderValue(value)
		}
	}
	return out
}

func flatten(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for name, values := range h {
		out[name] = strings.Join(values, ", ")
	}
	return out
}
