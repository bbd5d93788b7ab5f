package api

import (
	"bytes"
	"reflect"
	"strings"
	"unicode/utf8"
)

// replacedText checks a decoded request body: encoding/json turns an
// unpaired surrogate escape (\ud800 to \udfff alone) in a string into U+FFFD
// without a word, so that a title, a URL or a secret would be stored as
// something the client did not send. When body holds no U+FFFD of its own
// (neither the character nor its escape), any U+FFFD in a string of v came
// from such an escape, and the field that holds it is refused with a 422
// naming it. Event data (a json.RawMessage) is left raw by the
// decoder and checked by store.CheckEventData instead.
func replacedText(body []byte, v any) error {
	if bytes.Contains(body, []byte("\uFFFD")) || bytes.Contains(bytes.ToLower(body), []byte(`\ufffd`)) {
		return nil
	}
	if field := fieldWithReplacement(reflect.ValueOf(v), ""); field != "" {
		return invalidField(field, "has an unpaired surrogate escape (\\ud800 to \\udfff alone), which is not text")
	}
	return nil
}

// fieldWithReplacement returns the JSON name of the first field of v (a
// struct, a pointer, a slice or a map, walked through) whose string holds
// U+FFFD, or "" when none does; name is the name of v itself.
func fieldWithReplacement(v reflect.Value, name string) string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ""
		}
		return fieldWithReplacement(v.Elem(), name)
	case reflect.String:
		if strings.ContainsRune(v.String(), utf8.RuneError) {
			return name
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return "" // raw JSON (json.RawMessage) or bytes
		}
		for i := range v.Len() {
			if f := fieldWithReplacement(v.Index(i), name); f != "" {
				return f
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			if f := fieldWithReplacement(iter.Key(), name); f != "" {
				return f
			}
			if f := fieldWithReplacement(iter.Value(), name); f != "" {
				return f
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			sf := t.Field(i)
			if !sf.IsExported() {
				continue
			}
			field := sf.Name
			if tag, _, _ := strings.Cut(sf.Tag.Get("json"), ","); tag != "" && tag != "-" {
				field = tag
			}
			if name != "" {
				field = name + "." + field
			}
			if f := fieldWithReplacement(v.Field(i), field); f != "" {
				return f
			}
		}
	}
	return ""
}
