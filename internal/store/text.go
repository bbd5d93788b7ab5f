package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// This file holds the one rule for text that every door applies (the HTTP
// API, the CLI, the Go library, the dashboard, the configuration): a string
// is stored only when both stores keep it exactly. PostgreSQL refuses text
// that is not UTF-8 or that holds a NUL (U+0000) character; SQLite would keep
// either and send receivers bytes that are not JSON text. Refusing both up
// front makes the stores answer alike, with the field named, instead of one
// of them failing with a driver error.

// Errors of CheckText.
var (
	// ErrNotUTF8 reports text that is not valid UTF-8.
	ErrNotUTF8 = errors.New("is not valid UTF-8")
	// ErrNUL reports text that holds a NUL character (U+0000), which
	// PostgreSQL cannot store in text or JSON.
	ErrNUL = errors.New("must not contain a NUL character (U+0000)")
)

// CheckText returns ErrNotUTF8 or ErrNUL when s cannot be stored as text, and
// nil otherwise.
func CheckText(s string) error {
	if !utf8.ValidString(s) {
		return ErrNotUTF8
	}
	if strings.IndexByte(s, 0) >= 0 {
		return ErrNUL
	}
	return nil
}

// ValidText checks the value s of an input field with CheckText; a refusal
// is a *FieldError naming field.
func ValidText(field, s string) error {
	if err := CheckText(s); err != nil {
		return &FieldError{Field: field, Message: err.Error()}
	}
	return nil
}

// ValidTexts checks several fields at once, in the order given (name, value,
// name, value, …), and returns the first refusal.
func ValidTexts(fieldsAndValues ...string) error {
	for i := 0; i+1 < len(fieldsAndValues); i += 2 {
		if err := ValidText(fieldsAndValues[i], fieldsAndValues[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// Limits of PostgreSQL's numeric type, which JSONB stores every number in
// (PostgreSQL 15, src/backend/utils/adt/numeric.c): at most 131072 digits
// before the decimal point, at most 16383 after it, and an exponent whose
// magnitude is below INT_MAX/2.
const (
	numericMaxIntegerDigits  = 131072
	numericMaxFractionDigits = 16383
	numericMaxExponent       = 1<<30 - 1 // INT_MAX / 2
)

// MaxNumberExpansion bounds how much longer the numbers of one event's data
// get once PostgreSQL writes them out: JSONB prints numbers without an
// exponent, so that "1e131071" (8 bytes) reads back as 131072 digits, and a
// payload full of such numbers would read back as gigabytes, failing every
// claim of its delivery.
const MaxNumberExpansion = 1 << 20

// CheckEventData checks that data, an event's JSON payload, is a JSON text
// that both stores keep and send byte for byte: valid JSON in valid UTF-8, no
// \u0000 escape, no unpaired UTF-16 surrogate escape (\ud800 alone), and no
// number outside the range of PostgreSQL's numeric type (the seed's
// webhook_deliveries.payload is JSONB, which refuses all three). It returns
// an error saying what is wrong and at which byte offset.
func CheckEventData(data []byte) error {
	if !utf8.Valid(data) {
		return ErrNotUTF8
	}
	if !json.Valid(data) {
		return errors.New("is not valid JSON")
	}
	expansion := 0
	for i := 0; i < len(data); {
		switch c := data[i]; {
		case c == '"':
			end, err := checkJSONString(data, i)
			if err != nil {
				return err
			}
			i = end
		case c == '-' || '0' <= c && c <= '9':
			end := i + 1
			for end < len(data) && strings.IndexByte("0123456789+-.eE", data[end]) >= 0 {
				end++
			}
			printed, err := checkJSONNumber(string(data[i:end]))
			if err != nil {
				return fmt.Errorf("number at byte %d %w", i, err)
			}
			if expansion += max(0, printed-(end-i)); expansion > MaxNumberExpansion {
				return fmt.Errorf("has numbers that PostgreSQL writes out in over %d more bytes than given (at byte %d); write large or small numbers as strings", MaxNumberExpansion, i)
			}
			i = end
		default:
			i++
		}
	}
	return nil
}

// checkJSONString checks the escapes of the valid JSON string that starts at
// data[start] (its opening quote) and returns the offset after its closing
// quote.
func checkJSONString(data []byte, start int) (int, error) {
	for i := start + 1; i < len(data); i++ {
		switch data[i] {
		case '"':
			return i + 1, nil
		case '\\':
			i++
			if data[i] != 'u' {
				continue
			}
			r := hex4(data[i+1 : i+5])
			switch {
			case r == 0:
				return 0, fmt.Errorf(`has a \u0000 escape at byte %d; NUL characters are not allowed`, i-1)
			case 0xDC00 <= r && r <= 0xDFFF:
				return 0, fmt.Errorf(`has an unpaired surrogate escape \u%04x at byte %d`, r, i-1)
			case 0xD800 <= r && r <= 0xDBFF:
				next := i + 5
				if next+6 > len(data) || data[next] != '\\' || data[next+1] != 'u' {
					return 0, fmt.Errorf(`has an unpaired surrogate escape \u%04x at byte %d`, r, i-1)
				}
				if low := hex4(data[next+2 : next+6]); low < 0xDC00 || low > 0xDFFF {
					return 0, fmt.Errorf(`has an unpaired surrogate escape \u%04x at byte %d`, r, i-1)
				}
				i = next + 5
			default:
				i += 4
			}
		}
	}
	return len(data), nil
}

// hex4 decodes the four hexadecimal digits of a \u escape, already known to be
// valid JSON.
func hex4(b []byte) rune {
	var r rune
	for _, c := range b {
		r <<= 4
		switch {
		case '0' <= c && c <= '9':
			r |= rune(c - '0')
		case 'a' <= c && c <= 'f':
			r |= rune(c - 'a' + 10)
		default:
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}

// checkJSONNumber checks that the valid JSON number n fits PostgreSQL's
// numeric type, as numeric_in reads it: the exponent's magnitude is below
// numericMaxExponent, the digits after the decimal point (those written,
// less the exponent) are at most numericMaxFractionDigits, and a value that
// is not zero has at most numericMaxIntegerDigits digits before the point.
// It returns the length of n as PostgreSQL writes it out (without exponent).
func checkJSONNumber(n string) (int, error) {
	sign := 0
	if strings.HasPrefix(n, "-") {
		sign = 1
	}
	mantissa, expText, hasExp := strings.Cut(strings.ToLower(strings.TrimPrefix(n, "-")), "e")
	exp := 0
	if hasExp {
		expText = strings.TrimPrefix(expText, "+")
		negative := strings.HasPrefix(expText, "-")
		digits := strings.TrimLeft(strings.TrimPrefix(expText, "-"), "0")
		if len(digits) > 10 {
			return 0, errors.New("has an exponent out of range")
		}
		for _, c := range digits {
			exp = exp*10 + int(c-'0')
		}
		if exp >= numericMaxExponent {
			return 0, errors.New("has an exponent out of range")
		}
		if negative {
			exp = -exp
		}
	}
	intPart, fracPart, _ := strings.Cut(mantissa, ".")
	scale := max(0, len(fracPart)-exp)
	if scale > numericMaxFractionDigits {
		return 0, fmt.Errorf("has more than %d digits after the decimal point", numericMaxFractionDigits)
	}
	printed := sign + 1
	if scale > 0 {
		printed += 1 + scale
	}
	// weight is the power of ten of the first digit that is not zero.
	var weight int
	switch {
	case strings.Trim(intPart, "0") != "":
		weight = len(intPart) - 1 + exp // JSON integer parts have no leading zero
	case strings.Trim(fracPart, "0") != "":
		weight = -(len(fracPart) - len(strings.TrimLeft(fracPart, "0")) + 1) + exp
	default:
		return printed, nil // zero
	}
	if weight >= numericMaxIntegerDigits {
		return 0, fmt.Errorf("has more than %d digits before the decimal point", numericMaxIntegerDigits)
	}
	return printed + max(0, weight), nil
}
