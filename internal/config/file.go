package config

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/hookrelay/hookrelay/internal/store"
)

// envName is the form of a settings file's names: an environment variable
// name as hookrelay spells them.
var envName = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// ParseFile reads a settings file: one `NAME = value` per line, where NAME
// is an environment variable of `hookrelay serve` (DATABASE_URL,
// HOOKRELAY_CONCURRENCY, …) and value is what that variable would hold.
// Blank lines and lines starting with # are skipped; `NAME=value` without
// spaces (an env file) and a leading `export ` are accepted too. A value may
// be quoted: "…" with the escapes of a TOML basic string (\" \\ \n \t
// \u and four hex digits), or '…' taken literally; a bare value runs to the end of the line
// or to a # after a space (a comment), with its spaces trimmed: a # right
// after another character is kept, since URLs may hold one. So
// a file of quoted strings, numbers and booleans is also valid TOML with
// top-level keys. A list (WEBHOOK_URLS) is a comma-separated string, as in
// the environment. The errors name the line; a NAME given twice is one.
func ParseFile(r io.Reader) (map[string]string, error) {
	values := map[string]string{}
	lines := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, raw, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: want NAME = value", n)
		}
		name = strings.TrimSpace(strings.TrimPrefix(name, "export "))
		if !envName.MatchString(name) {
			// Not quoted back: a line such as "DATABASE_URL: postgres://u:pw@…"
			// would put a password in the error.
			return nil, fmt.Errorf("line %d: does not start with a setting name such as DATABASE_URL (the names are the environment variables, then =)", n)
		}
		if first, dup := lines[name]; dup {
			return nil, fmt.Errorf("line %d: %s is already set on line %d", n, name, first)
		}
		value, err := fileValue(strings.TrimSpace(raw))
		if err == nil {
			// An escape could make a NUL or bytes that are not UTF-8, which
			// no environment variable can hold.
			err = store.CheckText(value)
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %s: %w", n, name, err)
		}
		values[name], lines[name] = value, n
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	return values, nil
}

// fileValue decodes one value of a settings file (see ParseFile).
func fileValue(raw string) (string, error) {
	switch {
	case strings.HasPrefix(raw, `"`):
		end := closingQuote(raw)
		if end < 0 {
			return "", fmt.Errorf("the quoted value has no closing \"")
		}
		if rest := strings.TrimSpace(raw[end+1:]); rest != "" && !strings.HasPrefix(rest, "#") {
			return "", errors.New("unexpected text after the quoted value")
		}
		v, err := strconv.Unquote(raw[:end+1])
		if err != nil {
			return "", fmt.Errorf("bad escape in the quoted value")
		}
		return v, nil
	case strings.HasPrefix(raw, "'"):
		end := strings.IndexByte(raw[1:], '\'')
		if end < 0 {
			return "", fmt.Errorf("the quoted value has no closing '")
		}
		if rest := strings.TrimSpace(raw[end+2:]); rest != "" && !strings.HasPrefix(rest, "#") {
			return "", errors.New("unexpected text after the quoted value")
		}
		return raw[1 : end+1], nil
	}
	if i := strings.Index(raw, " #"); i >= 0 {
		raw = raw[:i]
	}
	if i := strings.Index(raw, "\t#"); i >= 0 {
		raw = raw[:i]
	}
	return strings.TrimSpace(raw), nil
}

// closingQuote is the index of the " that ends the double-quoted string at
// the start of s, skipping escaped ones; -1 when there is none.
func closingQuote(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}
