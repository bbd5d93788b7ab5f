package store

import (
	"strings"
	"unicode/utf8"
)

// replacement stands in for the bytes that Storable removes.
const replacement = "\uFFFD"

// Storable returns s as text that both stores can keep: valid UTF-8 with no
// NUL character. Each run of invalid bytes and each NUL becomes U+FFFD.
// PostgreSQL refuses both in text and jsonb columns (SQLSTATE 22021 and
// 22P05), so every string that a receiver controls (response body, header
// names and values, error text quoting them) goes through Storable before it
// is written.
func Storable(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, replacement), "\x00", replacement)
}

// StorableHeaders returns h with every name and value made Storable. It
// returns h itself when nothing needed to change. Two names that become equal
// keep the value of one of them.
func StorableHeaders(h map[string]string) map[string]string {
	clean := true
	for name, value := range h {
		if Storable(name) != name || Storable(value) != value {
			clean = false
			break
		}
	}
	if clean {
		return h
	}
	out := make(map[string]string, len(h))
	for name, value := range h {
		out[Storable(name)] = Storable(value)
	}
	return out
}

// Storable returns the attempt with every receiver-controlled string made
// Storable: response headers and body, and the error text.
func (a Attempt) Storable() Attempt {
	a.ResponseHeaders = StorableHeaders(a.ResponseHeaders)
	a.ResponseBody = Storable(a.ResponseBody)
	a.Error = Storable(a.Error)
	a.RequestHeaders = StorableHeaders(a.RequestHeaders)
	return a
}
