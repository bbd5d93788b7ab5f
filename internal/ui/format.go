package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// templateFuncs are the helpers that templates may call, but for those that
// build URLs (paths.funcs).
var templateFuncs = template.FuncMap{
	"when":           when,
	"ago":            ago,
	"iso":            iso,
	"prettyJSON":     prettyJSON,
	"headerList":     headerList,
	"deref":          func(p *int) int { return *p },
	"join":           strings.Join,
	"duration":       func(ms int64) string { return (time.Duration(ms) * time.Millisecond).String() },
	"recoveryReason": func() string { return store.RecoveryReason },
	// maxRetriesLimit is the most retries an endpoint may set.
	"maxRetriesLimit": func() int { return store.MaxRetriesLimit },

	"endpointName": endpointName,
}

// timeLayout is how the dashboard writes times: UTC, to the second.
const timeLayout = "2006-01-02 15:04:05 UTC"

// when writes a time (time.Time or *time.Time) in timeLayout; "" for none.
func when(t any) string {
	tt, ok := timeOf(t)
	if !ok {
		return ""
	}
	return tt.UTC().Format(timeLayout)
}

// iso writes a time in RFC 3339, for <time datetime>.
func iso(t any) string {
	tt, ok := timeOf(t)
	if !ok {
		return ""
	}
	return tt.UTC().Format(time.RFC3339)
}

// ago writes how long ago (or from now) a time is, roughly: "3 min ago",
// "in 2 h"; "never" for none.
func ago(t any) string {
	tt, ok := timeOf(t)
	if !ok {
		return "never"
	}
	d := time.Since(tt)
	future := d < 0
	if future {
		d = -d
	}
	var s string
	switch {
	case d < 5*time.Second:
		return "just now"
	case d < time.Minute:
		s = fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		s = fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		s = fmt.Sprintf("%d h", int(d.Hours()))
	default:
		s = fmt.Sprintf("%d days", int(d.Hours()/24))
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

// timeOf reads a time.Time or a non-nil *time.Time.
func timeOf(t any) (time.Time, bool) {
	switch v := t.(type) {
	case time.Time:
		return v, !v.IsZero()
	case *time.Time:
		if v != nil {
			return *v, !v.IsZero()
		}
	}
	return time.Time{}, false
}

// prettyJSON indents a JSON document; anything else comes back as it is.
func prettyJSON(raw json.RawMessage) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return string(raw)
	}
	return buf.String()
}

// header is one HTTP header, for templates.
type header struct{ Name, Value string }

// headerList sorts a header map by name.
func headerList(m map[string]string) []header {
	out := make([]header, 0, len(m))
	for name, value := range m {
		out = append(out, header{name, value})
	}
	slices.SortFunc(out, func(a, b header) int { return strings.Compare(a.Name, b.Name) })
	return out
}
