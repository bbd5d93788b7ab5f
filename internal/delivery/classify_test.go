package delivery

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/netguard"
	"github.com/hookrelay/hookrelay/internal/store"
)

func TestClassify(t *testing.T) {
	netErr := errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
	tests := []struct {
		status int
		err    error
		want   Class
	}{
		{200, nil, Delivered},
		{201, nil, Delivered},
		{204, nil, Delivered},
		{299, nil, Delivered},
		{301, nil, Retryable},
		{302, nil, Retryable},
		{307, nil, Retryable},
		{400, nil, Permanent},
		{401, nil, Permanent},
		{403, nil, Permanent},
		{404, nil, Permanent},
		{408, nil, Retryable},
		{410, nil, Gone},
		{413, nil, Permanent},
		{422, nil, Permanent},
		{429, nil, Retryable},
		{500, nil, Retryable},
		{502, nil, Retryable},
		{503, nil, Retryable},
		{504, nil, Retryable},
		{0, netErr, Retryable},
		{0, fmt.Errorf("timeout after 1s: %w", errors.New("context deadline exceeded")), Retryable},
		{0, fmt.Errorf("%w: %w", ErrPermanent, netguard.ErrForbiddenAddress), Permanent},
	}
	for _, tt := range tests {
		if got := Classify(tt.status, tt.err); got != tt.want {
			t.Errorf("Classify(%d, %v) = %s, want %s", tt.status, tt.err, got, tt.want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"-5", 0},
		{"7", 7 * time.Second},
		{" 120 ", 2 * time.Minute},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"99999999999", 365 * 24 * time.Hour},
	}
	for _, tt := range tests {
		if got := ParseRetryAfter(tt.value, now); got != tt.want {
			t.Errorf("ParseRetryAfter(%q) = %s, want %s", tt.value, got, tt.want)
		}
	}
}

func TestRetryPolicyDelay(t *testing.T) {
	p := RetryPolicy{Base: time.Second, Cap: time.Minute, RetryAfterCap: 10 * time.Second}
	for retry := range 10 {
		want := min(time.Second<<retry, time.Minute)
		for range 50 {
			got := p.Delay(retry)
			if got < want || got > min(want+want*3/10, time.Minute) {
				t.Fatalf("Delay(%d) = %s, want within [%s, %s]", retry, got, want, min(want+want*3/10, time.Minute))
			}
		}
	}
	// The jitter spreads the delays over the whole range: 2,000 samples of
	// one delay fall in each tenth of [want, 1.3×want] (a bucket stays empty
	// by chance with probability below 10×0.9^2000).
	const samples, buckets = 2000, 10
	want := 8 * time.Second
	var hits [buckets]int
	for range samples {
		got := p.Delay(3)
		spread := float64(got-want) / (0.3 * float64(want))
		if spread < 0 || spread > 1 {
			t.Fatalf("Delay(3) = %s, want within [%s, %s]", got, want, want*13/10)
		}
		hits[min(int(spread*buckets), buckets-1)]++
	}
	for i, n := range hits {
		if n == 0 {
			t.Fatalf("no Delay(3) of %d fell in [%.2f, %.2f]×%s: the jitter does not span 30 %% (%v)",
				samples, 1+0.03*float64(i), 1.03+0.03*float64(i), want, hits)
		}
	}
	if got := p.Delay(1000); got != time.Minute {
		t.Errorf("Delay(1000) = %s, want the cap", got)
	}
	if got := p.Next(0, 5*time.Second); got != 5*time.Second {
		t.Errorf("Next with Retry-After 5s = %s", got)
	}
	if got := p.Next(0, time.Hour); got != 10*time.Second {
		t.Errorf("Next with Retry-After 1h = %s, want RetryAfterCap", got)
	}
}

func TestEnvelope(t *testing.T) {
	ev := store.Event{
		ID: "0190c4a2-7b3e-7c1d-9f00-123456789abc", Type: "document.created",
		Data:      json.RawMessage(` {"title":"Q3 \u00e9t\u00e9 report","n":[1,2]} `),
		CreatedAt: time.Date(2026, 11, 29, 12, 30, 15, 123456000, time.FixedZone("CET", 3600)),
	}
	body, err := Envelope(ev)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		ID, Type, Timestamp string
		Data                map[string]any
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("envelope %s is not JSON: %v", body, err)
	}
	if got.ID != ev.ID || got.Type != ev.Type || got.Timestamp != "2026-11-29T11:30:15.123456Z" || got.Data["title"] != "Q3 été report" {
		t.Errorf("envelope = %s", body)
	}
	empty, _ := Envelope(store.Event{ID: ev.ID, Type: ev.Type})
	if !json.Valid(empty) || !bytes.Contains(empty, []byte(`"data":{}`)) {
		t.Errorf("envelope without data = %s", empty)
	}
}

func TestAsksToSlowDown(t *testing.T) {
	status := func(code int) *int { return &code }
	for _, c := range []struct {
		name string
		res  SendResult
		want bool
	}{
		{"429", SendResult{Class: Retryable, Attempt: store.Attempt{ResponseStatus: status(429)}}, true},
		{"503 with Retry-After", SendResult{Class: Retryable, RetryAfter: time.Second, Attempt: store.Attempt{ResponseStatus: status(503)}}, true},
		{"503 alone", SendResult{Class: Retryable, Attempt: store.Attempt{ResponseStatus: status(503)}}, false},
		{"2xx with Retry-After", SendResult{Class: Delivered, RetryAfter: time.Second, Attempt: store.Attempt{ResponseStatus: status(200)}}, false},
		{"network error", SendResult{Class: Retryable}, false},
	} {
		if got := c.res.AsksToSlowDown(); got != c.want {
			t.Errorf("%s: AsksToSlowDown = %v, want %v", c.name, got, c.want)
		}
	}
}
