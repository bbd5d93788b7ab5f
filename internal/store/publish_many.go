package store

import "fmt"

// MaxPublishMany is the most events one PublishMany takes (and one request
// of the API's batch route).
const MaxPublishMany = 1000

// Publication is one event to publish with the options of its publish, as
// PublishMany takes them.
type Publication struct {
	Event   Event
	Options PublishOptions
}

// PublicationResult is what PublishMany did with one Publication: its
// result, or Err when the event was refused (a *FieldError, from
// Event.Normalize) and nothing was written for it.
type PublicationResult struct {
	PublishResult
	Err error
}

// CheckPublishMany refuses a PublishMany of n publications, when n is 0 or
// more than MaxPublishMany, with a *FieldError on "events".
func CheckPublishMany(n int) error {
	if n == 0 {
		return &FieldError{Field: "events", Message: "at least one event is required"}
	}
	if n > MaxPublishMany {
		return &FieldError{Field: "events", Message: fmt.Sprintf("at most %d events are allowed, got %d", MaxPublishMany, n)}
	}
	return nil
}
