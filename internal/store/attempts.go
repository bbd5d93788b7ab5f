package store

// AttemptsMade is the number of HTTP attempts the delivery has finished: the
// one definition of "attempts" that the API (attempt_count), the CLI and the
// dashboard show. RetryCount is the 0-based number of the current or last
// attempt; a delivered or failed delivery has finished that attempt, a
// pending, processing or cancelled one has not (attempt RetryCount+1 is
// still to come, under way, or was called off).
func (d Delivery) AttemptsMade() int {
	if d.Status == StatusDelivered || d.Status == StatusFailed {
		return d.RetryCount + 1
	}
	return d.RetryCount
}

// MaxAttempts is the most attempts the delivery may make: the first one and
// MaxRetries retries.
func (d Delivery) MaxAttempts() int {
	return d.MaxRetries + 1
}
