package cli

import (
	"fmt"
	"strings"

	"github.com/hookrelay/hookrelay/internal/store"
)

// storeFailed explains a failed store call of a command that works on the
// database directly: when the database cannot take requests (unreachable,
// read-only or full, see store.Unavailable), the message says so first, on
// one line; other errors are returned as they are.
func storeFailed(err error) error {
	if !store.Unavailable(err) {
		return err
	}
	msg := strings.Join(strings.Fields(err.Error()), " ")
	return fmt.Errorf("%w; nothing was written, try again once it is back: %s", store.ErrUnavailable, msg)
}

// checkArgs refuses command-line arguments that are not valid UTF-8 or hold
// a NUL (store.CheckText) before they are parsed: the parser would turn bad
// bytes into U+FFFD, and hookrelay would publish or store something else
// than was typed.
func checkArgs(args []string) error {
	for i, arg := range args {
		if err := store.CheckText(arg); err != nil {
			return fmt.Errorf("argument %d (%q) %w", i+1, arg, err)
		}
	}
	return nil
}
