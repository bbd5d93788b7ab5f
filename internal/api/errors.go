package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
)

// Error codes of the API.
const (
	codeBadRequest      = "bad_request"
	codeInvalidJSON     = "invalid_json"
	codeValidation      = "validation_failed"
	codeUnauthorized    = "unauthorized"
	codeThrottled       = "too_many_requests"
	codeNotFound        = "not_found"
	codeMethod          = "method_not_allowed"
	codeConflict        = "conflict"
	codePayloadTooLarge = "payload_too_large"
	codeNotReady        = "not_ready"
	codeUnavailable     = "store_unavailable"
	codeInternal        = "internal_error"
)

// apiError is an error answer with its status.
type apiError struct {
	status int
	body   wire.Error
}

func (e *apiError) Error() string { return e.body.Message }

func newError(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, body: wire.Error{Code: code, Message: fmt.Sprintf(format, args...)}}
}

// badParam is a 400 naming a bad query parameter.
func badParam(name, format string, args ...any) *apiError {
	e := newError(http.StatusBadRequest, codeBadRequest, name+": "+format, args...)
	e.body.Field = name
	return e
}

// invalidField is a 422 naming the request field at fault.
func invalidField(field, message string) *apiError {
	return &apiError{status: http.StatusUnprocessableEntity, body: wire.Error{
		Code: codeValidation, Message: field + ": " + message, Field: field,
	}}
}

// errorDetails is the wire's view of a value's JSON Schema violations.
func errorDetails(vs []service.Violation) []wire.SchemaViolation {
	if len(vs) == 0 {
		return nil
	}
	out := make([]wire.SchemaViolation, len(vs))
	for i, v := range vs {
		out[i] = wire.SchemaViolation{Location: v.Location, Keyword: v.Keyword, Message: v.Message}
	}
	return out
}

// wireField is the API's name of a service field path: the service's
// endpoint_id is the wire's webhook_id.
func wireField(path string) string {
	if path == service.FieldEndpointID {
		return "webhook_id"
	}
	return path
}

// notFound turns store.ErrNotFound into a 404 about what, and returns other
// errors unchanged.
func notFound(err error, what string) error {
	if errors.Is(err, store.ErrNotFound) {
		return newError(http.StatusNotFound, codeNotFound, "%s not found", what)
	}
	return err
}

// toAPIError classifies err into the answer it deserves; errors it does not
// know are 500s.
func toAPIError(err error) (*apiError, bool) {
	var ae *apiError
	var fe *service.FieldError
	var se *service.SizeError
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
		return ae, true
	case errors.As(err, &fe):
		// The first field at fault: the API names one.
		e := invalidField(wireField(fe.Path()), fe.Message)
		e.body.Details = errorDetails(fe.Violations)
		return e, true
	case errors.As(err, &se):
		e := newError(http.StatusRequestEntityTooLarge, codePayloadTooLarge, "%v", se)
		e.body.Field = se.Field
		return e, true
	case errors.As(err, &tooLarge):
		return newError(http.StatusRequestEntityTooLarge, codePayloadTooLarge,
			"request body is larger than %d bytes", tooLarge.Limit), true
	case errors.Is(err, store.ErrNotFound):
		return newError(http.StatusNotFound, codeNotFound, "not found"), true
	case errors.Is(err, store.ErrConflict):
		return newError(http.StatusConflict, codeConflict, "%v", err), true
	case store.Unavailable(err):
		return newError(http.StatusServiceUnavailable, codeUnavailable, "%s", store.UnavailableMessage), true
	case store.PermissionDenied(err):
		// The operator's to fix, so logged as an error like any 500, but
		// said plainly to the client too.
		return newError(http.StatusInternalServerError, codeInternal,
			"the database refused this request: permission denied or row-level security (on a database with Ackify CE's row-level security, connect with app.tenant_id set; see the README, Replacing Ackify's webhook worker)"), false
	}
	return newError(http.StatusInternalServerError, codeInternal, "internal server error"), false
}

// retryAfterUnavailable is the Retry-After, in seconds, of the answers
// store_unavailable.
const retryAfterUnavailable = "5"

// writeError answers with err as a JSON error document and logs the errors
// that are the server's fault, and those of a database that cannot take
// requests (as warnings: the operator has to act, the code is right).
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	ae, known := toAPIError(err)
	switch {
	case !known:
		s.logger.ErrorContext(r.Context(), "request failed",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("error", err))
	case ae.body.Code == codeUnavailable:
		s.logger.WarnContext(r.Context(), "request refused: the database cannot take it",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("error", err))
		w.Header().Set("Retry-After", retryAfterUnavailable)
		s.writable.forget()
	}
	if ae.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="hookrelay"`)
	}
	writeJSON(w, ae.status, wire.ErrorBody{Error: ae.body})
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client went away; nothing left to tell it
}

// decodeJSON reads exactly one JSON document of at most s.maxPayload bytes
// into v, refusing unknown fields and trailing data. An empty body is an
// error unless optional is set, in which case v is left as it is. A body
// that is not UTF-8 is a 400: JSON text is UTF-8 (RFC 8259), and Go's
// decoder would silently turn the bad bytes into U+FFFD; a string field that
// holds an unpaired surrogate escape is a 422 naming it (replacedText).
func (s *server) decodeJSON(w http.ResponseWriter, r *http.Request, v any, optional bool) error {
	return decodeJSONUpTo(w, r, v, optional, s.maxPayload)
}

// decodeJSONUpTo is decodeJSON with a body of at most limit bytes.
func decodeJSONUpTo(w http.ResponseWriter, r *http.Request, v any, optional bool, limit int64) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		return jsonError(err)
	}
	if !utf8.Valid(body) {
		return newError(http.StatusBadRequest, codeInvalidJSON, "request body is not valid UTF-8, which JSON text must be")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) && optional {
			return nil
		}
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err == nil {
			err = errors.New("unexpected data after the JSON document")
		}
		return jsonError(err)
	}
	if err := strictMembers(body, reflect.TypeOf(v)); err != nil {
		return err
	}
	return replacedText(body, v)
}

// jsonError turns a decoding failure into a 400, or a 413 when the body was
// too large.
func jsonError(err error) error {
	var tooLarge *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &tooLarge):
		return err
	case errors.Is(err, io.EOF):
		return newError(http.StatusBadRequest, codeInvalidJSON, "request body is empty; a JSON document is required")
	case errors.As(err, &typeErr):
		want := jsonKind(typeErr.Type.Kind().String())
		if want == "a whole number" {
			want += wholeNumberUnits[typeErr.Field]
		}
		e := newError(http.StatusBadRequest, codeInvalidJSON, "%s: must be %s, not %s", typeErr.Field, want, strings.TrimPrefix(typeErr.Value, "number "))
		e.body.Field = typeErr.Field
		return e
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return newError(http.StatusBadRequest, codeInvalidJSON, "invalid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return newError(http.StatusBadRequest, codeInvalidJSON, "%s", strings.TrimPrefix(err.Error(), "json: "))
}

// wholeNumberUnits is what the whole number of a field counts, named in the
// message for a value that is not one.
var wholeNumberUnits = map[string]string{"rate_limit_per_second": " of requests per second"}

// jsonKind names a Go kind the way a JSON author thinks of it.
func jsonKind(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "a whole number"
	case strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "string":
		return "a string"
	case kind == "bool":
		return "true or false"
	case kind == "slice" || kind == "array":
		return "an array"
	case kind == "map" || kind == "struct":
		return "an object"
	}
	return kind
}
