package service

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// parsedDoc parses and indexes a schema, failing t when it is not JSON.
func parsedDoc(t *testing.T, schema string) *schemaDoc {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(schema))
	if err != nil {
		t.Fatalf("parse %s: %v", schema, err)
	}
	return newSchemaDoc(v)
}

// parsedValue parses a JSON value, failing t when it is not JSON.
func parsedValue(t *testing.T, data string) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(data)))
	if err != nil {
		t.Fatalf("parse %s: %v", data, err)
	}
	return v
}

// recursiveAnyOf is the attack whose cost doubles with each level of data.
const recursiveAnyOf = `{"anyOf":[{"type":"object","required":["leaf"],"properties":{"child":{"$ref":"#"}}},{"type":"object","required":["children"],"properties":{"child":{"$ref":"#"}}}]}`

// nestedChild is {"child":…} depth levels deep.
func nestedChild(depth int) string {
	return strings.Repeat(`{"child":`, depth) + "{}" + strings.Repeat("}", depth)
}

// defsChain is the attack of levels $defs each {"anyOf":[{"$ref":next},{"$ref":next}]}.
func defsChain(levels int) string {
	var b strings.Builder
	b.WriteString(`{"$ref":"#/$defs/d0","$defs":{`)
	for i := range levels {
		fmt.Fprintf(&b, `"d%d":{"anyOf":[{"$ref":"#/$defs/d%d"},{"$ref":"#/$defs/d%d"}]},`, i, i+1, i+1)
	}
	fmt.Fprintf(&b, `"d%d":{"type":"number"}}}`, levels)
	return b.String()
}

func TestDataCostStopsAtTheLimit(t *testing.T) {
	d := parsedDoc(t, recursiveAnyOf)
	if got := d.dataCost(parsedValue(t, nestedChild(3)), MaxSchemaVisits); got > 100 {
		t.Errorf("3 levels cost %d visits, want a few", got)
	}
	if got := d.dataCost(parsedValue(t, nestedChild(20)), MaxSchemaVisits); got != MaxSchemaVisits+1 {
		t.Errorf("20 levels cost %d visits, want the walk stopped at %d", got, MaxSchemaVisits+1)
	}
	// The defs chain costs 2^21 on any value: the walk stops at the limit.
	if got := parsedDoc(t, defsChain(21)).dataCost(parsedValue(t, "1"), MaxSchemaVisits); got != MaxSchemaVisits+1 {
		t.Errorf("defs chain cost %d visits, want %d", got, MaxSchemaVisits+1)
	}
}

// TestDataCostCountsWhatTheValidatorRepeats: the shapes a second attack
// slipped past the first walk, each cheap to save and costly to check —
// a $recursiveRef that the validator sends to the outermost
// $recursiveAnchor (2^depth), unevaluatedProperties over many in-place
// subschemas of a wide object (subschemas × members), a large enum over
// many elements (enum × elements), and a long pattern over long strings —
// now count up to the limit.
func TestDataCostCountsWhatTheValidatorRepeats(t *testing.T) {
	wideAllOf := `{"unevaluatedProperties":true,"allOf":[{}` + strings.Repeat(`,{}`, 2000) + `]}`
	wide := map[string]int{}
	for i := range 2000 {
		wide["k"+strconv.Itoa(i)] = 0
	}
	wideData, _ := json.Marshal(wide)
	enum := make([]int, 2000)
	for i := range enum {
		enum[i] = 1_000_000 + i
	}
	enumJSON, _ := json.Marshal(enum)
	elements, _ := json.Marshal(make([]int, 2000))
	for _, tc := range []struct{ name, schema, data string }{
		{"$recursiveRef", `{"$schema":"https://json-schema.org/draft/2019-09/schema","$recursiveAnchor":true,"allOf":[{"$ref":"b"},{"$ref":"b"}],"$defs":{"b":{"$id":"b","$recursiveAnchor":true,"properties":{"c":{"$recursiveRef":"#"}}}}}`,
			strings.Repeat(`{"c":`, 22) + "0" + strings.Repeat("}", 22)},
		{"unevaluatedProperties", wideAllOf, string(wideData)},
		{"enum", `{"items":{"enum":` + string(enumJSON) + `}}`, string(elements)},
		{"pattern", `{"items":{"pattern":"^` + strings.Repeat("a?", 2000) + `"}}`, `["` + strings.Repeat("a", 20000) + `"` + strings.Repeat(`,"`+strings.Repeat("a", 20000)+`"`, 100) + `]`},
	} {
		if got := parsedDoc(t, tc.schema).dataCost(parsedValue(t, tc.data), MaxSchemaVisits); got != MaxSchemaVisits+1 {
			t.Errorf("%s: %d visits, want the walk stopped at %d", tc.name, got, MaxSchemaVisits+1)
		}
	}
}

func TestDataCostOfOrdinarySchemas(t *testing.T) {
	for _, tc := range []struct{ schema, data string }{
		{`{"type":"object","properties":{"a":{"type":"number"},"b":{"items":{"type":"string"}}},"required":["a"]}`, `{"a":1,"b":["x","y","z"]}`},
		{`{"allOf":[{"$ref":"#/$defs/money"},{"required":["amount"]}],"$defs":{"money":{"properties":{"amount":{"type":"number"}}}}}`, `{"amount":3}`},
		{`{"$schema":"http://json-schema.org/draft-07/schema#","items":[{"type":"string"}],"additionalItems":{"type":"number"}}`, `["a",1,2]`},
		{`{"$defs":{"node":{"properties":{"next":{"$ref":"#/$defs/node"}}}},"$ref":"#/$defs/node"}`, nestedChild(50)},
	} {
		d := parsedDoc(t, tc.schema)
		if err := d.staticCost(MaxSchemaVisits); err != nil {
			t.Errorf("%s: %v", tc.schema, err)
		}
		if got := d.dataCost(parsedValue(t, tc.data), MaxSchemaVisits); got > 1000 {
			t.Errorf("%s on %s: %d visits", tc.schema, tc.data, got)
		}
	}
}

func TestStaticCost(t *testing.T) {
	for _, tc := range []struct{ schema, says string }{
		{`{"$ref":"#"}`, "reference cycle that never descends into the data, so no value can be checked against it: # → #"},
		{`{"$ref":"#/$defs/a","$defs":{"a":{"$ref":"#/$defs/b"},"b":{"allOf":[{"$ref":"#/$defs/a"}]}}}`, "#/$defs/a → #/$defs/b → #/$defs/b/allOf/0 → #/$defs/a"},
		{`{"properties":{"x":{"$ref":"#/$defs/d0"}},"$defs":` + strings.TrimPrefix(defsChain(21), `{"$ref":"#/$defs/d0","$defs":`), "too complex: checking any value against #/$defs/d0 takes more than 100000"},
		{`{"$id":"https://example.com/s","$ref":"#/$defs/a","$defs":{"a":{"$anchor":"x","$ref":"#x"}}}`, "reference cycle"},
		{`{"$defs":{"a":{"$id":"https://example.com/a","$ref":"b"},"b":{"$id":"https://example.com/b","allOf":[{"$ref":"a"}]}},"$ref":"https://example.com/a"}`, "#/$defs/a → #/$defs/b → #/$defs/b/allOf/0 → #/$defs/a"},
		{`{"$schema":"http://json-schema.org/draft-04/schema#","definitions":{"a":{"id":"https://example.com/a","anyOf":[{"$ref":"#/definitions/b"}],"definitions":{"b":{"$ref":"https://example.com/a"}}}},"$ref":"https://example.com/a"}`, "reference cycle"},
		{`{"$dynamicAnchor":"n","anyOf":[{"$dynamicRef":"#n"}]}`, "reference cycle"},
	} {
		err := parsedDoc(t, tc.schema).staticCost(MaxSchemaVisits)
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v, want %q", tc.schema, err, tc.says)
		}
	}
}

// TestDataCostLooksOnlyAtTheMembersReached: an in-place fan-out over a
// large object costs its visits, not visits times members.
func TestDataCostLooksOnlyAtTheMembersReached(t *testing.T) {
	var data strings.Builder
	data.WriteString("{")
	for i := range 5000 {
		fmt.Fprintf(&data, `"k%d":[1,2,3],`, i)
	}
	data.WriteString(`"x":1}`)
	inst := parsedValue(t, data.String())
	d := parsedDoc(t, `{"anyOf":[{"properties":{"x":{"type":"number"}}},{"properties":{"x":{"type":"string"}},"items":{}}]}`)
	if got := d.dataCost(inst, MaxSchemaVisits); got != 5 {
		t.Errorf("cost %d, want 5 (root, two branches, x twice)", got)
	}
	d = parsedDoc(t, `{"additionalProperties":{"items":{"type":"number"}}}`)
	if got := d.dataCost(inst, MaxSchemaVisits); got != 1+5001+5000*3 {
		t.Errorf("cost %d, want every member and element", got)
	}
}
