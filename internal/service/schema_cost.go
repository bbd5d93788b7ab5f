package service

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// MaxSchemaVisits bounds the work of checking one JSON value against a
// catalogued schema, counted in schema evaluations: visits of a (schema
// node, instance node) pair by schemaCost's walk, which over-approximates
// the traversal of the validator. A recursive schema can make the
// validator's work exponential in the depth of a small value, and the
// validator cannot be interrupted; so data that would cost more is refused
// before the validator runs, and a schema is refused at save when its
// example costs more, or when expanding one of its subschemas in place (the
// applicators that stay on the same value, following $refs) does.
const MaxSchemaVisits = 100_000

// Keywords whose subschemas apply to the same value as the schema holding
// them, by shape: one schema, an array of schemas, an object of schemas.
var (
	inPlaceOne    = []string{"not", "if", "then", "else"}
	inPlaceArray  = []string{"allOf", "anyOf", "oneOf"}
	inPlaceObject = []string{"dependentSchemas", "dependencies"}
	refKeywords   = []string{"$ref", "$dynamicRef", "$recursiveRef"}
)

// Keywords whose subschemas apply to the members of an object value or the
// elements of an array value.
var (
	memberOne    = []string{"additionalProperties", "unevaluatedProperties"}
	elementOne   = []string{"additionalItems", "contains", "unevaluatedItems"}
	elementArray = []string{"prefixItems"}
	// notSchemas hold JSON values, never schemas: the scan for $id and
	// anchors does not look inside them.
	notSchemas = map[string]bool{"const": true, "enum": true, "examples": true, "default": true}
)

// schemaDoc is a catalogued schema as parsed JSON (jsonschema.UnmarshalJSON),
// with the resources ($id) and anchors it declares, for schemaCost's walks.
type schemaDoc struct {
	root any
	// idKey is the keyword that sets a base URL: "$id", or "id" in a
	// draft-04 document.
	idKey string
	// resources maps the absolute URL of each resource (the document at
	// schemaBase, and each $id) to its location, a JSON pointer.
	resources map[string]string
	// anchors maps "URL#name" of each $anchor, $dynamicAnchor and
	// draft-07 "$id":"#name" (draft-04 "id":"#name") to its location.
	anchors map[string]string
	// dynamic maps each $dynamicAnchor name to the locations declaring it:
	// a $dynamicRef may reach any of them.
	dynamic map[string][]string
	// recursive are the locations of the schemas with "$recursiveAnchor":
	// true (draft 2019-09): a $recursiveRef may reach any of them (the
	// validator goes to the outermost one in the dynamic scope).
	recursive []string
}

// schemaNode is a subschema: its location (JSON pointer from the root of
// the document), value, and base URL.
type schemaNode struct {
	loc   string
	v     any
	base  string
	idKey string
}

// newSchemaDoc indexes the resources and anchors of root, a parsed schema.
func newSchemaDoc(root any) *schemaDoc {
	d := &schemaDoc{root: root, idKey: "$id", resources: map[string]string{schemaBase: ""}, anchors: map[string]string{}, dynamic: map[string][]string{}}
	if m, ok := root.(map[string]any); ok {
		if draft, ok := m["$schema"].(string); ok && strings.Contains(draft, "draft-04") {
			d.idKey = "id"
		}
	}
	d.scan(root, "", schemaBase)
	return d
}

// scan records the $ids and anchors of v, at loc, and below it.
func (d *schemaDoc) scan(v any, loc, base string) {
	switch v := v.(type) {
	case map[string]any:
		if id, ok := v[d.idKey].(string); ok {
			if strings.HasPrefix(id, "#") {
				d.anchors[base+id] = loc
			} else if u := resolveURL(base, id); u != "" {
				base, _, _ = strings.Cut(u, "#")
				d.resources[base] = loc
			}
		}
		if a, ok := v["$anchor"].(string); ok {
			d.anchors[base+"#"+a] = loc
		}
		if a, ok := v["$dynamicAnchor"].(string); ok {
			d.anchors[base+"#"+a] = loc
			d.dynamic[a] = append(d.dynamic[a], loc)
		}
		if a, _ := v["$recursiveAnchor"].(bool); a {
			d.recursive = append(d.recursive, loc)
		}
		for k, c := range v {
			if !notSchemas[k] {
				d.scan(c, loc+"/"+escapePointer(k), base)
			}
		}
	case []any:
		for i, c := range v {
			d.scan(c, loc+"/"+strconv.Itoa(i), base)
		}
	}
}

// resolveURL resolves ref against base, or is "" when either is malformed.
func resolveURL(base, ref string) string {
	b, err := url.Parse(base)
	if err != nil {
		return ""
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	return b.ResolveReference(r).String()
}

// escapePointer escapes a JSON pointer token (RFC 6901).
func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// at is the node at loc, a JSON pointer from the root, with the base URL
// that the $ids on the way give it; false when there is none.
func (d *schemaDoc) at(loc string) (schemaNode, bool) {
	n := schemaNode{loc: loc, v: d.root, base: schemaBase, idKey: d.idKey}
	n.base = idBase(n.v, n.base, n.idKey)
	if loc == "" {
		return n, true
	}
	for _, tok := range strings.Split(loc[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch v := n.v.(type) {
		case map[string]any:
			c, ok := v[tok]
			if !ok {
				return schemaNode{}, false
			}
			n.v = c
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(v) {
				return schemaNode{}, false
			}
			n.v = v[i]
		default:
			return schemaNode{}, false
		}
		n.base = idBase(n.v, n.base, n.idKey)
	}
	return n, true
}

// idBase is the base URL inside v, a subschema whose parent's base is
// base, in a document whose base keyword is idKey.
func idBase(v any, base, idKey string) string {
	m, ok := v.(map[string]any)
	if !ok {
		return base
	}
	id, ok := m[idKey].(string)
	if !ok || strings.HasPrefix(id, "#") {
		return base
	}
	if u := resolveURL(base, id); u != "" {
		base, _, _ = strings.Cut(u, "#")
	}
	return base
}

// child is the subschema of n at the keyword path toks.
func (n schemaNode) child(v any, toks ...string) schemaNode {
	loc := n.loc
	for _, t := range toks {
		loc += "/" + escapePointer(t)
	}
	return schemaNode{loc: loc, v: v, base: idBase(v, n.base, n.idKey), idKey: n.idKey}
}

// refs are the nodes that the reference keywords of n may lead to, within
// the document: references that do not resolve lead nowhere (the compiler
// refuses them).
func (d *schemaDoc) refs(n schemaNode, m map[string]any) []schemaNode {
	var out []schemaNode
	for _, kw := range refKeywords {
		ref, ok := m[kw].(string)
		if !ok {
			continue
		}
		abs := resolveURL(n.base, ref)
		doc, frag, _ := strings.Cut(abs, "#")
		var locs []string
		if res, ok := d.resources[doc]; ok {
			switch {
			case frag == "":
				locs = append(locs, res)
			case strings.HasPrefix(frag, "/"):
				if p, err := url.PathUnescape(frag); err == nil {
					locs = append(locs, res+p)
				}
			default:
				if l, ok := d.anchors[doc+"#"+frag]; ok {
					locs = append(locs, l)
				}
			}
		}
		if kw == "$dynamicRef" && frag != "" && !strings.HasPrefix(frag, "/") {
			locs = append(locs, d.dynamic[frag]...)
		}
		if kw == "$recursiveRef" {
			locs = append(locs, d.recursive...)
		}
		for _, l := range locs {
			if t, ok := d.at(l); ok {
				out = append(out, t)
			}
		}
	}
	return out
}

// inPlace calls f with each subschema of n that applies to the same value
// as n: the reference targets and the in-place applicators.
func (d *schemaDoc) inPlace(n schemaNode, f func(schemaNode) bool) bool {
	m, ok := n.v.(map[string]any)
	if !ok {
		return true
	}
	for _, t := range d.refs(n, m) {
		if !f(t) {
			return false
		}
	}
	for _, kw := range inPlaceOne {
		if c, ok := m[kw]; ok && !f(n.child(c, kw)) {
			return false
		}
	}
	for _, kw := range inPlaceArray {
		cs, _ := m[kw].([]any)
		for i, c := range cs {
			if !f(n.child(c, kw, strconv.Itoa(i))) {
				return false
			}
		}
	}
	for _, kw := range inPlaceObject {
		cs, _ := m[kw].(map[string]any)
		for _, k := range sortedKeys(cs) {
			if _, isList := cs[k].([]any); isList { // draft-07 property dependencies
				continue
			}
			if !f(n.child(cs[k], kw, k)) {
				return false
			}
		}
	}
	return true
}

// sortedKeys are the keys of m in order, so that walks are deterministic.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// dataCost counts the schema evaluations of checking inst, a parsed JSON
// value, against the whole document, stopping once the count passes limit:
// the count returned is then limit+1. It visits every (subschema, value)
// pair the validator may evaluate, and more (every pattern of
// patternProperties, additionalProperties and unevaluatedProperties for
// every member, and the like for array elements).
//
// A visit counts more than one where the validator's work on it grows with
// the value or the keyword (visitWeight): the values of an enum compared,
// a pattern run over a string, and the members or elements that every
// in-place subschema copies while an enclosing schema tracks what was
// evaluated (unevaluatedProperties, unevaluatedItems).
func (d *schemaDoc) dataCost(inst any, limit int) int {
	n, _ := d.at("")
	count := 0
	var visit func(n schemaNode, inst any, tracked bool) bool
	visit = func(n schemaNode, inst any, tracked bool) bool {
		m, ok := n.v.(map[string]any)
		if count += visitWeight(m, inst, tracked); count > limit {
			return false
		}
		if !ok {
			return true
		}
		tracks := tracked || m["unevaluatedProperties"] != nil || m["unevaluatedItems"] != nil
		if !d.inPlace(n, func(c schemaNode) bool { return visit(c, inst, tracks) }) {
			return false
		}
		below := func(c schemaNode, v any) bool { return visit(c, v, false) }
		switch inst := inst.(type) {
		case map[string]any:
			return d.visitMembers(n, m, inst, below)
		case []any:
			return d.visitElements(n, m, inst, below)
		}
		return true
	}
	visit(n, inst, false)
	return min(count, limit+1)
}

// patternCost is how many characters of a string times characters of a
// pattern count as one visit: Go's regexp runs in time linear in both.
const patternCost = 256

// visitWeight is what checking inst against the schema object m (nil for
// a boolean schema) counts: one, plus the values of its enum, plus its
// pattern's work on a string, plus the members or elements of inst when an
// enclosing schema tracks the evaluated ones (tracked), which the validator
// copies at each subschema.
func visitWeight(m map[string]any, inst any, tracked bool) int {
	w := 1
	if m == nil {
		return w
	}
	if e, ok := m["enum"].([]any); ok {
		w += len(e)
	}
	if p, ok := m["pattern"].(string); ok {
		if str, ok := inst.(string); ok {
			w += len(p) * len(str) / patternCost
		}
	}
	if tracked || m["unevaluatedProperties"] != nil || m["unevaluatedItems"] != nil {
		switch inst := inst.(type) {
		case map[string]any:
			w += len(inst)
		case []any:
			w += len(inst)
		}
	}
	return w
}

// visitMembers visits the subschemas of n, a schema object m, that apply
// to the members of inst. Without a keyword that applies to every member,
// only the members named in properties are looked at, so that a schema
// visited often costs no more than its subschemas visited.
func (d *schemaDoc) visitMembers(n schemaNode, m, inst map[string]any, visit func(schemaNode, any) bool) bool {
	if c, ok := m["propertyNames"]; ok {
		for k := range inst {
			if !visit(n.child(c, "propertyNames"), k) {
				return false
			}
		}
	}
	props, _ := m["properties"].(map[string]any)
	pats, _ := m["patternProperties"].(map[string]any)
	var every []schemaNode
	for p, c := range pats {
		every = append(every, n.child(c, "patternProperties", p))
	}
	for _, kw := range memberOne {
		if c, ok := m[kw]; ok {
			every = append(every, n.child(c, kw))
		}
	}
	member := func(k string, v any) bool {
		if c, ok := props[k]; ok && !visit(n.child(c, "properties", k), v) {
			return false
		}
		for _, c := range every {
			if !visit(c, v) {
				return false
			}
		}
		return true
	}
	if len(every) == 0 && len(props) < len(inst) {
		for k := range props {
			if v, ok := inst[k]; ok && !member(k, v) {
				return false
			}
		}
		return true
	}
	for k, v := range inst {
		if !member(k, v) {
			return false
		}
	}
	return true
}

// visitElements visits the subschemas of n, a schema object m, that apply
// to the elements of inst: only the elements that some keyword reaches.
func (d *schemaDoc) visitElements(n schemaNode, m map[string]any, inst []any, visit func(schemaNode, any) bool) bool {
	positional := map[string][]any{}
	var every []schemaNode
	reach := 0
	for _, kw := range append([]string{"items"}, append(elementArray, elementOne...)...) {
		switch c := m[kw].(type) {
		case nil:
		case []any: // prefixItems, and items before 2019-09
			positional[kw] = c
			reach = max(reach, len(c))
		default:
			every = append(every, n.child(c, kw))
			reach = len(inst)
		}
	}
	for i, e := range inst[:min(reach, len(inst))] {
		for _, kw := range []string{"prefixItems", "items"} {
			if cs := positional[kw]; i < len(cs) && !visit(n.child(cs[i], kw, strconv.Itoa(i)), e) {
				return false
			}
		}
		for _, c := range every {
			if !visit(c, e) {
				return false
			}
		}
	}
	return true
}

// staticCost checks that expanding every subschema of the document in
// place (the applicators that stay on the same value, following $refs)
// ends and costs at most limit evaluations: a $ref cycle that never
// descends into the value makes every check fail, and an expansion over
// limit makes every check of any value refused. It returns why not, or
// nil.
func (d *schemaDoc) staticCost(limit int) error {
	memo := map[string]int{}
	var stack []string
	onStack := map[string]bool{}
	var cycle []string
	var cost func(n schemaNode) int
	cost = func(n schemaNode) int {
		if c, ok := memo[n.loc]; ok {
			return c
		}
		if onStack[n.loc] {
			i := len(stack) - 1
			for stack[i] != n.loc {
				i--
			}
			cycle = append(append([]string{}, stack[i:]...), n.loc)
			return limit + 1
		}
		onStack[n.loc] = true
		stack = append(stack, n.loc)
		total := 1
		d.inPlace(n, func(c schemaNode) bool {
			total = min(total+cost(c), limit+1)
			return cycle == nil && total <= limit
		})
		stack = stack[:len(stack)-1]
		delete(onStack, n.loc)
		memo[n.loc] = total
		return total
	}
	var fail error
	var all func(n schemaNode)
	all = func(n schemaNode) {
		if fail != nil {
			return
		}
		if cost(n) > limit {
			if cycle != nil {
				for i, l := range cycle {
					cycle[i] = "#" + l
				}
				fail = fmt.Errorf("has a reference cycle that never descends into the data, so no value can be checked against it: %s", strings.Join(cycle, " → "))
			} else {
				fail = fmt.Errorf("is too complex: checking any value against #%s takes more than %d schema evaluations", n.loc, limit)
			}
			return
		}
		d.subschemas(n, all)
	}
	root, _ := d.at("")
	all(root)
	return fail
}

// subschemas calls f with every subschema written directly in n: in
// applicators and in $defs and definitions.
func (d *schemaDoc) subschemas(n schemaNode, f func(schemaNode)) {
	m, ok := n.v.(map[string]any)
	if !ok {
		return
	}
	for _, kw := range sortedKeys(m) {
		switch c := m[kw].(type) {
		case map[string]any:
			switch kw {
			case "$defs", "definitions", "properties", "patternProperties", "dependentSchemas", "dependencies":
				for _, k := range sortedKeys(c) {
					f(n.child(c[k], kw, k))
				}
			default:
				if !notSchemas[kw] {
					f(n.child(c, kw))
				}
			}
		case []any:
			switch kw {
			case "allOf", "anyOf", "oneOf", "prefixItems", "items":
				for i, e := range c {
					f(n.child(e, kw, strconv.Itoa(i)))
				}
			}
		}
	}
}
