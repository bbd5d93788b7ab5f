package sqlite

import (
	"encoding/json"
	"fmt"
	"time"
)

// The column encodings of the schema: times are INTEGER microseconds since the
// Unix epoch, lists and maps JSON text. The functions here turn Go values
// into parameters, and the Scanners turn columns back into Go values.

// micros is t as a time column.
func micros(t time.Time) int64 {
	return t.UnixMicro()
}

// microsOrNull is t as a nullable time column.
func microsOrNull(t *time.Time) any {
	if t == nil {
		return nil
	}
	return micros(*t)
}

// jsonText is v as a JSON column. v is a slice or map of strings, which
// always encode.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encode %T as JSON: %v", v, err))
	}
	return string(b)
}

// nonNil is s, or an empty slice when s is nil, so that it encodes as [].
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// nonNilMap is m, or an empty map when m is nil, so that it encodes as {}.
func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// timeCol scans a time column into a UTC time.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	n, ok := src.(int64)
	if !ok {
		return fmt.Errorf("time column holds %T, want microseconds", src)
	}
	*c.t = time.UnixMicro(n).UTC()
	return nil
}

// nullTimeCol scans a nullable time column; NULL is nil.
type nullTimeCol struct{ t **time.Time }

func (c nullTimeCol) Scan(src any) error {
	if src == nil {
		*c.t = nil
		return nil
	}
	var t time.Time
	if err := (timeCol{&t}).Scan(src); err != nil {
		return err
	}
	*c.t = &t
	return nil
}

// jsonCol scans a JSON text column into v, a pointer to a slice or map.
type jsonCol struct{ v any }

func (c jsonCol) Scan(src any) error {
	text, err := textOf(src)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(text, c.v); err != nil {
		return fmt.Errorf("decode JSON column into %T: %w", c.v, err)
	}
	return nil
}

// rawJSONCol scans a JSON text column as it is.
type rawJSONCol struct{ r *json.RawMessage }

func (c rawJSONCol) Scan(src any) error {
	text, err := textOf(src)
	if err != nil {
		return err
	}
	*c.r = json.RawMessage(text)
	return nil
}

// textOf returns a copy of the bytes of a TEXT or BLOB value.
func textOf(src any) ([]byte, error) {
	switch v := src.(type) {
	case string:
		return []byte(v), nil
	case []byte:
		return append([]byte(nil), v...), nil
	}
	return nil, fmt.Errorf("JSON column holds %T, want text", src)
}
