package store

import "testing"

// TestAttemptsMade: attempts made counts the finished attempts in every
// status; the most is the first attempt and MaxRetries retries.
func TestAttemptsMade(t *testing.T) {
	tests := []struct {
		status     Status
		retryCount int
		want       int
	}{
		{StatusPending, 0, 0},    // never tried
		{StatusProcessing, 0, 0}, // first attempt under way
		{StatusDelivered, 0, 1},  // delivered at the first try
		{StatusPending, 2, 2},    // two failed attempts, the third is due
		{StatusFailed, 3, 4},     // gave up after the fourth
		{StatusCancelled, 1, 1},  // one attempt, the retry called off
	}
	for _, tt := range tests {
		d := Delivery{Status: tt.status, RetryCount: tt.retryCount, MaxRetries: 3}
		if got := d.AttemptsMade(); got != tt.want || d.MaxAttempts() != 4 {
			t.Errorf("%s at retry_count %d: %d attempts made of %d; want %d of 4", tt.status, tt.retryCount, got, d.MaxAttempts(), tt.want)
		}
	}
}
