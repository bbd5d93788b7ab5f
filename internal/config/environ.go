package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Environ returns the settings held by v (a settings struct of this package
// such as Delivery or Serve, or a pointer to one) as the environment
// variables that `hookrelay serve` reads: one NAME=value per field with an
// env tag, embedded structs included, in field order. Lists are joined with
// the field's sep tag (default ","); durations are written as
// time.Duration.String. It lets a program start a `hookrelay serve` process
// with exactly the settings it holds. A field of an unsupported type is an
// error naming it.
func Environ(v any) ([]string, error) {
	rv := reflect.Indirect(reflect.ValueOf(v))
	if rv.Kind() != reflect.Struct {
		return nil, fmt.Errorf("environ: want a settings struct, got %T", v)
	}
	var env []string
	err := appendEnviron(&env, rv)
	return env, err
}

func appendEnviron(env *[]string, rv reflect.Value) error {
	rt := rv.Type()
	for i := range rt.NumField() {
		field, value := rt.Field(i), rv.Field(i)
		name := field.Tag.Get("env")
		if name == "" {
			if field.Anonymous && value.Kind() == reflect.Struct {
				if err := appendEnviron(env, value); err != nil {
					return err
				}
			}
			continue
		}
		text, err := envValue(field, value)
		if err != nil {
			return fmt.Errorf("environ: %s: %w", name, err)
		}
		*env = append(*env, name+"="+text)
	}
	return nil
}

func envValue(field reflect.StructField, value reflect.Value) (string, error) {
	if d, ok := value.Interface().(time.Duration); ok {
		return d.String(), nil
	}
	switch value.Kind() {
	case reflect.String:
		return value.String(), nil
	case reflect.Bool:
		return strconv.FormatBool(value.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(value.Int(), 10), nil
	case reflect.Slice:
		if value.Type().Elem().Kind() == reflect.String {
			sep := field.Tag.Get("sep")
			if sep == "" {
				sep = ","
			}
			return strings.Join(value.Interface().([]string), sep), nil
		}
	}
	return "", fmt.Errorf("unsupported type %s", field.Type)
}
