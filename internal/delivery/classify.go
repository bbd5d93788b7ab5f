package delivery

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Class is what an attempt's answer means for the delivery.
type Class int

// The classes of an attempt's answer.
const (
	// Delivered: a 2xx answer.
	Delivered Class = iota + 1
	// Retryable: a network failure, a timeout, a redirect, 408, 429 or 5xx.
	Retryable
	// Permanent: any other 4xx, or a target refused by policy; retrying cannot help.
	Permanent
	// Gone: 410 Gone; permanent, and the endpoint is disabled.
	Gone
)

// String names the class as it appears in logs and metrics.
func (c Class) String() string {
	switch c {
	case Delivered:
		return "delivered"
	case Retryable:
		return "retryable"
	case Permanent:
		return "permanent"
	case Gone:
		return "gone"
	}
	return "unknown"
}

// ErrPermanent marks a send error that no retry can fix, such as a target
// address that the SSRF guard refuses.
var ErrPermanent = errors.New("permanent failure")

// Classify maps an attempt's result to its class: err is the transport error
// (nil when an answer arrived) and status the HTTP status code.
func Classify(status int, err error) Class {
	if err != nil {
		if errors.Is(err, ErrPermanent) {
			return Permanent
		}
		return Retryable
	}
	switch {
	case status >= 200 && status < 300:
		return Delivered
	case status == http.StatusGone:
		return Gone
	case status == http.StatusRequestTimeout, status == http.StatusTooManyRequests:
		return Retryable
	case status >= 300 && status < 400, status >= 500:
		return Retryable
	}
	return Permanent
}

// ParseRetryAfter reads a Retry-After value, either delay-seconds or an HTTP
// date, and returns the wait it asks for (0 when absent, malformed or past).
func ParseRetryAfter(value string, now time.Time) time.Duration {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(value, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(365*24*time.Hour/time.Second) {
			secs = int64(365 * 24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second
	}
	if at, err := http.ParseTime(value); err == nil && at.After(now) {
		return at.Sub(now)
	}
	return 0
}
