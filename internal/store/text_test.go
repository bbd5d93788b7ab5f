package store_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
)

func TestCheckText(t *testing.T) {
	for _, c := range []struct {
		in   string
		want error
	}{
		{"", nil}, {"plain", nil}, {"été ☃ 😀", nil},
		{"a\x00b", store.ErrNUL}, {"caf\xe9", store.ErrNotUTF8}, {"\xed\xa0\x80", store.ErrNotUTF8},
	} {
		if err := store.CheckText(c.in); !errors.Is(err, c.want) {
			t.Errorf("CheckText(%q) = %v, want %v", c.in, err, c.want)
		}
	}
	var fe *store.FieldError
	if err := store.ValidTexts("title", "ok", "description", "a\x00"); !errors.As(err, &fe) || fe.Field != "description" {
		t.Errorf("ValidTexts = %v, want a FieldError for description", err)
	}
}

// TestCheckEventData pins the limits of PostgreSQL 15's JSONB input, found by
// trying each value in psql: each accepted value is one it takes, each
// refused one it refuses.
func TestCheckEventData(t *testing.T) {
	accepted := []string{
		`{}`, `"\ud800\udc00"`, `"\u00e9\/\t"`, `-0`, `1E+2`, `1e131071`, `9.99e131071`, `0.1e131072`,
		`1e-16383`, `0e-16383`, `100e-16383`, `0e1073741822`, `[` + strings.Repeat("1,", 1000) + `1]`,
		`{"a":1,"a":2}`, `"\uffff"`, `[` + strings.Repeat(`1e131071,`, 7) + `1]`,
	}
	for _, data := range accepted {
		if err := store.CheckEventData([]byte(data)); err != nil {
			t.Errorf("CheckEventData(%.40s) = %v, want nil", data, err)
		}
	}
	refused := map[string]string{
		`"\u0000"`:       `\u0000`,
		`"a\\\u0000"`:    `\u0000`,
		`"\ud800"`:       "unpaired surrogate",
		`"\udc00"`:       "unpaired surrogate",
		`"\ud800x"`:      "unpaired surrogate",
		`"\ud800\ud800"`: "unpaired surrogate",
		`"\udc00\ud800"`: "unpaired surrogate",
		`1e131072`:       "before the decimal point",
		`1e-16384`:       "after the decimal point",
		`0e-16384`:       "after the decimal point",
		`0.0e-16383`:     "after the decimal point",
		`100e-16385`:     "after the decimal point",
		`0e1073741823`:   "exponent",
		`0e-1073741823`:  "exponent",
		`1e99999999999`:  "exponent",
		`{"a":`:          "not valid JSON",
		"\"caf\xe9\"":    "UTF-8",
	}
	for data, want := range refused {
		if err := store.CheckEventData([]byte(data)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckEventData(%.40s) = %v, want an error about %q", data, err, want)
		}
	}
	// Nine numbers of 131072 digits would read back from JSONB as over 1 MiB
	// more than was sent.
	if err := store.CheckEventData([]byte(`[` + strings.Repeat(`1e131071,`, 9) + `1]`)); err == nil || !strings.Contains(err.Error(), "write large or small numbers as strings") {
		t.Errorf("CheckEventData(nine huge numbers) = %v, want a refusal", err)
	}
	// An escaped backslash before "u0000" is not an escape.
	if err := store.CheckEventData([]byte(`"\\u0000"`)); err != nil {
		t.Errorf(`CheckEventData("\\u0000") = %v, want nil`, err)
	}
}
