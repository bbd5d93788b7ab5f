// Package delivery sends the queue's deliveries: it claims due rows from a
// store.Store, signs and posts each one to its endpoint over a shared
// keep-alive HTTP client, classifies the answer, and writes the outcomes back
// in batches: delivered, retried later with exponential backoff and jitter, or
// failed. It also disables endpoints that keep failing. Rescuing deliveries
// whose worker died and deleting old ones is internal/maintenance's work.
package delivery
