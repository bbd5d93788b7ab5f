package hookrelay

import (
	"errors"

	"github.com/hookrelay/hookrelay/internal/store"
)

// Errors that callers decide on, with errors.Is.
var (
	// ErrInvalid reports an event or endpoint that breaks a rule; the error's
	// message names the field.
	ErrInvalid = errors.New("invalid")
	// ErrNotFound reports that no endpoint has the given ID.
	ErrNotFound = store.ErrNotFound
	// ErrRunning reports a Start or Run while the client's workers run.
	ErrRunning = errors.New("hookrelay: workers already running")
	// ErrNotRunning reports a Stop while the client's workers do not run.
	ErrNotRunning = errors.New("hookrelay: workers not running")
)

// invalid is a validation error of the store, made to match ErrInvalid.
type invalid struct{ err error }

func (e invalid) Error() string        { return e.err.Error() }
func (e invalid) Unwrap() error        { return e.err }
func (e invalid) Is(target error) bool { return target == ErrInvalid }

// public makes err, when it is a validation error, match ErrInvalid.
func public(err error) error {
	var fe *store.FieldError
	if errors.As(err, &fe) {
		return invalid{err}
	}
	return err
}
