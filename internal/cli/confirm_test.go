package cli

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestConfirm: only y or yes (any case) confirms; the question goes to
// standard error.
func TestConfirm(t *testing.T) {
	for answer, want := range map[string]bool{"y\n": true, "YES\n": true, " yes ": true, "n\n": false, "\n": false, "sure\n": false} {
		var stderr bytes.Buffer
		got, err := confirm(Env{Stdin: strings.NewReader(answer), Stderr: &stderr}, "Delete? [y/N] ")
		if err != nil || got != want || stderr.String() != "Delete? [y/N] " {
			t.Errorf("confirm(%q) = %v, %v (asked %q); want %v", answer, got, err, stderr.String(), want)
		}
	}
	if _, err := confirm(Env{Stdin: strings.NewReader(""), Stderr: &bytes.Buffer{}}, "?"); err == nil {
		t.Error("confirm at end of input: no error")
	}
	if devNull, err := os.Open(os.DevNull); err == nil {
		defer devNull.Close()
		if isTerminal(devNull) {
			t.Error("isTerminal(/dev/null) = true")
		}
	}
}
