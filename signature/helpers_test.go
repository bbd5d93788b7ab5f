package signature_test

import (
	"errors"
	"testing"

	"github.com/hookrelay/hookrelay/signature"
)

// outcomes names the results a verification test expects.
var outcomes = map[string]error{
	"missing_header": signature.ErrMissingHeader,
	"bad_format":     signature.ErrBadFormat,
	"expired":        signature.ErrExpired,
	"mismatch":       signature.ErrMismatch,
}

// assertOutcome fails t unless err is the outcome want ("valid" or a key of
// outcomes), and checks that a rejection is an *Error naming a header.
func assertOutcome(t *testing.T, err error, want string) {
	t.Helper()
	if want == "valid" {
		if err != nil {
			t.Fatalf("rejected: %v", err)
		}
		return
	}
	sentinel, ok := outcomes[want]
	if !ok {
		t.Fatalf("unknown outcome %q", want)
	}
	if !errors.Is(err, sentinel) {
		t.Fatalf("error = %v, want %v", err, sentinel)
	}
	var e *signature.Error
	if !errors.As(err, &e) || e.Header == "" {
		t.Fatalf("error %v is not a *signature.Error naming a header", err)
	}
}
