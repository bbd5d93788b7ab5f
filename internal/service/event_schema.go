package service

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// schemaBase is the URL a catalogued schema is compiled at. The host is
// reserved (RFC 2606): nothing is ever fetched from it, and a $ref that
// resolves outside the document is refused (refuseLoader).
const schemaBase = "https://hookrelay.invalid/event-type.json"

// maxViolations bounds the violations a refusal lists.
const maxViolations = 10

// errExternalRef is why a schema that refers outside itself is refused:
// schemas are compiled without network or file access.
var errExternalRef = errors.New("refers outside itself; a catalogued schema must be self-contained (use $defs and \"#/$defs/...\" references)")

// refuseLoader is the compiler's only URL loader: it loads nothing, so that
// compiling a schema never reads a file or the network. The meta-schemas of
// the drafts are built into the library and need no loader.
type refuseLoader struct{}

func (refuseLoader) Load(string) (any, error) { return nil, errExternalRef }

// printer formats the library's messages in English.
var printer = message.NewPrinter(language.English)

// Violation is one way a JSON value fails a JSON Schema: where, which
// keyword, and what is wrong.
type Violation struct {
	// Location is the JSON pointer (RFC 6901) of the value at fault in the
	// document checked: "" for the whole of it, "/amount", "/items/0".
	Location string
	// Keyword is the schema keyword that failed: "minimum", "required",
	// "type", ….
	Keyword string
	// Message says what is wrong, without the location or keyword.
	Message string
}

// String is "location: keyword: message", without the location at the root.
func (v Violation) String() string {
	if v.Location == "" {
		return v.Keyword + ": " + v.Message
	}
	return v.Location + ": " + v.Keyword + ": " + v.Message
}

// compileSchema compiles a catalogued schema (draft 2020-12 unless its
// $schema names another draft) with no loader but the in-document
// resources. It returns the violations of the schema against its
// meta-schema when there are any, or else an error saying why it does not
// compile.
func compileSchema(schema json.RawMessage) (*jsonschema.Schema, *schemaDoc, []Violation, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("is not valid JSON: %w", err)
	}
	switch doc.(type) {
	case map[string]any, bool:
	default:
		return nil, nil, nil, errors.New("must be a JSON object or a boolean")
	}
	raw := newSchemaDoc(doc)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.UseLoader(refuseLoader{})
	compiled := annotateFormats(c)
	if err := c.AddResource(schemaBase, doc); err != nil {
		return nil, nil, nil, fmt.Errorf("add: %w", err)
	}
	sch, err := c.Compile(schemaBase)
	compiled.Store(true)
	if err == nil {
		if err := raw.staticCost(MaxSchemaVisits); err != nil {
			return nil, nil, nil, err
		}
		return sch, raw, nil, nil
	}
	var invalid *jsonschema.SchemaValidationError
	var verr *jsonschema.ValidationError
	if errors.As(err, &invalid) && errors.As(invalid.Err, &verr) {
		return nil, nil, violations(verr), nil
	}
	var load *jsonschema.LoadURLError
	if errors.As(err, &load) && errors.Is(load.Err, errExternalRef) {
		return nil, nil, nil, fmt.Errorf("$ref %q %w", relativeToSchema(load.URL), errExternalRef)
	}
	return nil, nil, nil, errors.New(relativeToSchema(strings.TrimPrefix(err.Error(), "jsonschema: ")))
}

// assertedFormats are the formats the library checks for drafts before
// 2019-09 (which make "format" an assertion); annotateFormats registers a
// check of each that accepts everything. "regex" cannot be registered.
var assertedFormats = []string{
	"json-pointer", "relative-json-pointer", "uuid", "duration", "period",
	"ipv4", "ipv6", "hostname", "email", "date", "time", "date-time", "uri",
	"iri", "uri-reference", "iri-reference", "uri-template", "semver",
}

// anyRegexp is the regular expression that the compiler's engine gives
// after compiling: only a value of format "regex" asks for one then.
type anyRegexp struct{}

func (anyRegexp) String() string          { return "" }
func (anyRegexp) MatchString(string) bool { return true }

// annotateFormats makes "format" an annotation in every draft, as in
// 2020-12 and as the README says: the library asserts it for drafts 04 to
// 07 with no option to stop it, so each format it knows is registered with a
// check that accepts everything, and format "regex", which it checks with
// the compiler's regexp engine, gets an engine that compiles with regexp
// until the caller stores true in the flag returned, after Compile (the
// meta-schema checks the schema's patterns during Compile, and "pattern"
// keeps its compiled regexp), and accepts everything after.
func annotateFormats(c *jsonschema.Compiler) *atomic.Bool {
	for _, name := range assertedFormats {
		c.RegisterFormat(&jsonschema.Format{Name: name, Validate: func(any) error { return nil }})
	}
	var compiled atomic.Bool
	c.UseRegexpEngine(func(s string) (jsonschema.Regexp, error) {
		if compiled.Load() {
			return anyRegexp{}, nil
		}
		return regexp.Compile(s)
	})
	return &compiled
}

// relativeToSchema writes the URLs of s relative to the schema's document.
func relativeToSchema(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, schemaBase, ""), "https://hookrelay.invalid/", "")
}

// errTooComplex is why validateData refuses a value: checking it would
// take more than MaxSchemaVisits schema evaluations.
var errTooComplex = fmt.Errorf("too complex to check against the schema: more than %d schema evaluations", MaxSchemaVisits)

// validateData checks data, a JSON text that store.CheckEventData accepted,
// against a compiled schema, and returns its violations (none when valid).
// An error matching errTooComplex when checking it would cost more than
// MaxSchemaVisits (schemaDoc.dataCost): the validator is not run then.
func validateData(schema *compiledSchema, data []byte) ([]Violation, error) {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("read data: %w", err)
	}
	if schema.doc.dataCost(inst, MaxSchemaVisits) > MaxSchemaVisits {
		return nil, errTooComplex
	}
	err = schema.schema.Validate(inst)
	if err == nil {
		return nil, nil
	}
	var verr *jsonschema.ValidationError
	if !errors.As(err, &verr) {
		return nil, fmt.Errorf("validate data: %w", err)
	}
	return violations(verr), nil
}

// violations lists the leaves of a validation error tree, the failures
// that say what is wrong, at most maxViolations of them, in the library's
// order.
func violations(root *jsonschema.ValidationError) []Violation {
	var out []Violation
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(out) == maxViolations {
			return
		}
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		out = append(out, violation(e))
	}
	walk(root)
	return out
}

// violation is one leaf of a validation error tree.
func violation(e *jsonschema.ValidationError) Violation {
	keyword := "schema" // a false schema fails with no keyword
	if path := e.ErrorKind.KeywordPath(); len(path) > 0 {
		keyword = path[len(path)-1]
	}
	if _, ok := e.ErrorKind.(*kind.FalseSchema); ok {
		keyword = "false"
	}
	msg := e.ErrorKind.LocalizedString(printer)
	msg = strings.TrimPrefix(msg, keyword+": ")
	return Violation{Location: pointer(e.InstanceLocation), Keyword: keyword, Message: msg}
}

// pointer is the JSON pointer (RFC 6901) of the tokens.
func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// violationsError is the *FieldError of field for its violations: the
// first named in the message, all of them in Violations.
func violationsError(field, key string, vs []Violation) *FieldError {
	msg := vs[0].String()
	if len(vs) > 1 {
		msg += fmt.Sprintf(" (and %d more)", len(vs)-1)
	}
	return &FieldError{Field: field, Key: key, Message: msg, Violations: vs}
}

// duplicateKey finds the first object of the JSON text data that has a key
// twice, by a streaming walk (json.Decoder tokens): decoding keeps the last
// value of a repeated key and drops the other silently, while the schema is
// stored as written. It returns the JSON pointer of the object and the key,
// and false when no key is repeated or data is not JSON (the caller refuses
// that for its own reason).
func duplicateKey(data []byte) (loc, key string, found bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	// frame is an object or array open in the walk.
	type frame struct {
		loc string
		// keys are those seen, in an object; nil in an array.
		keys map[string]bool
		// key is the key whose value comes next, when haveKey.
		key     string
		haveKey bool
		// index is that of the next element, in an array.
		index int
	}
	var stack []*frame
	// value is the pointer of the value read now, which the frame above it
	// counts.
	value := func() string {
		if len(stack) == 0 {
			return ""
		}
		f := stack[len(stack)-1]
		if f.keys != nil {
			f.haveKey = false
			return f.loc + "/" + escapePointer(f.key)
		}
		f.index++
		return f.loc + "/" + strconv.Itoa(f.index-1)
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", "", false
		}
		if len(stack) > 0 {
			if f := stack[len(stack)-1]; f.keys != nil && !f.haveKey {
				if s, ok := tok.(string); ok {
					if f.keys[s] {
						return f.loc, s, true
					}
					f.keys[s], f.key, f.haveKey = true, s, true
					continue
				}
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{loc: value(), keys: map[string]bool{}})
		case json.Delim('['):
			stack = append(stack, &frame{loc: value()})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		default:
			value()
		}
		if len(stack) == 0 {
			return "", "", false
		}
	}
}
