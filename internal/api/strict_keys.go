package api

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
	"strings"
)

// rawMessageType is the type of JSON kept raw (event data): its members are
// the publisher's, duplicates and all, and are not checked.
var rawMessageType = reflect.TypeFor[json.RawMessage]()

// strictMembers checks a body that decoded into a value of type t, where
// encoding/json is lenient: a member named twice (the last one would win)
// and a member whose name matches a field only when case is ignored are
// refused with 400, naming the member. Members of raw JSON (json.RawMessage)
// are left alone.
func strictMembers(body []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := walkMembers(dec, t, ""); err != nil {
		return err
	}
	return nil
}

// walkMembers reads the next value of dec, expected of type t, and checks
// the members of the objects in it; path is the name of the value.
func walkMembers(dec *json.Decoder, t reflect.Type, path string) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t == rawMessageType || t.Kind() == reflect.Interface {
		var skip json.RawMessage
		return dec.Decode(&skip)
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	switch delim {
	case '[':
		var elem reflect.Type
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			elem = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if err := walkMembers(dec, elem, path); err != nil {
				return err
			}
		}
	case '{':
		fields := memberTypes(t)
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			name, _ := tok.(string)
			field := join(path, name)
			if seen[name] {
				return memberError(field, "appears twice; each member may be given once")
			}
			seen[name] = true
			var elem reflect.Type
			switch t.Kind() {
			case reflect.Struct:
				ft, ok := fields[name]
				if !ok {
					return memberError(field, "is not a known field (names are case-sensitive)")
				}
				elem = ft
			case reflect.Map:
				elem = t.Elem()
			}
			if err := walkMembers(dec, elem, field); err != nil {
				return err
			}
		}
	}
	_, err = dec.Token() // the closing delimiter
	return err
}

// memberTypes maps the JSON names of struct type t's fields to their types.
func memberTypes(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	if t.Kind() != reflect.Struct {
		return fields
	}
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if sf.Anonymous && name == "" && sf.Type.Kind() == reflect.Struct {
			maps.Copy(fields, memberTypes(sf.Type)) // promoted fields
			continue
		}
		switch name {
		case "-":
			continue
		case "":
			name = sf.Name
		}
		fields[name] = sf.Type
	}
	return fields
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func memberError(field, message string) error {
	e := newError(http.StatusBadRequest, codeInvalidJSON, "%s: %s", field, message)
	e.body.Field = field
	return e
}
