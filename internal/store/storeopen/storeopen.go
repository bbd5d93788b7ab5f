// Package storeopen turns a database URL (serve's DATABASE_URL, the
// library's Open) into a store: postgres:// URLs and
// PostgreSQL keyword/value strings ("host=… user=…") open PostgreSQL; file
// paths and sqlite: or file: URLs open the embedded SQLite store. Any other
// scheme is refused (ErrBadURL). Its errors name no setting: the command
// line adds DATABASE_URL, the library its own words.
package storeopen

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/postgres"
	"github.com/hookrelay/hookrelay/internal/store/sqlite"
)

// Kind names a store implementation.
type Kind string

// The store implementations.
const (
	Postgres Kind = "postgres"
	SQLite   Kind = "sqlite"
)

// ErrBadURL is matched by Parse's errors: the database URL names no store
// hookrelay knows (a bad setting, exit code 2 on the command line).
var ErrBadURL = errors.New("bad database URL")

// badURL is an error of Parse: its text says what is wrong, and it matches
// ErrBadURL.
type badURL struct{ msg string }

func (e badURL) Error() string        { return e.msg }
func (e badURL) Is(target error) bool { return target == ErrBadURL }

// ErrNoDatabase is wrapped by OpenExisting's errors when the database does
// not exist or is not migrated.
var ErrNoDatabase = errors.New("no hookrelay database")

// keywordString matches the start of a PostgreSQL keyword/value connection
// string (libpq's "host=localhost user=postgres …").
var keywordString = regexp.MustCompile(`^[a-z_]+\s*=`)

// Parse tells which store databaseURL names and returns what that store's
// Open takes: the string itself for PostgreSQL, the file path for SQLite.
// sqlite:PATH and file:PATH (also with // before an absolute path) name the
// SQLite file PATH; a query string (?…) is refused there, as hookrelay sets
// the SQLite options itself. Errors match ErrBadURL.
func Parse(databaseURL string) (Kind, string, error) {
	u := strings.TrimSpace(databaseURL)
	bad := func(format string, args ...any) (Kind, string, error) {
		return "", "", badURL{fmt.Sprintf(format, args...)}
	}
	// shown is u as errors may print it: without a password.
	shown := hidePassword(u)
	switch {
	case u == "":
		return bad("empty; use postgres://…, host=… user=… or a SQLite file path")
	case hasScheme(u, "postgres://"), hasScheme(u, "postgresql://"):
		scheme, rest, _ := strings.Cut(u, ":")
		return Postgres, strings.ToLower(scheme) + ":" + rest, nil
	case keywordString.MatchString(u):
		return Postgres, u, nil
	case keyValueString.MatchString(u):
		return bad("%q looks like key=value settings, not a SQLite file path; PostgreSQL's keyword/value strings are lowercase (host=… user=…) (write ./%s for a file of that name)", shown, shown)
	case hasScheme(u, "sqlite:"), hasScheme(u, "file:"):
		scheme, rest, _ := strings.Cut(u, ":")
		path := strings.TrimPrefix(rest, "//")
		if path == "" {
			return bad("%q names no SQLite file", shown)
		}
		if strings.ContainsAny(path, "?#") {
			return bad("%q: %s: URLs take no options here (hookrelay sets SQLite's own); give the file path only", shown, scheme)
		}
		return SQLite, path, nil
	case schemePrefix.MatchString(u):
		scheme, _, _ := strings.Cut(u, ":")
		return bad("unsupported scheme %q; use postgres://…, host=… user=… or a SQLite file path (write ./%s for a file of that name)", scheme, shown)
	}
	return SQLite, u, nil
}

// keyValueString matches text that starts as key=value settings do, in
// any case ("Host=localhost User=…"): not a SQLite file name, and not a
// PostgreSQL string either, whose keywords are lowercase.
var keyValueString = regexp.MustCompile(`(?i)^[a-z_]+\s*=`)

// userInfo matches the user information of a URL-like text, whatever its
// scheme ("mysql://u:pw@", "postgres:u:pw@"): group 2 is the user name,
// group 3 the password (up to the last @, which may be in it).
var userInfo = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*:(?://)?)([^:@/?#]*):(.*)@`)

// hidePassword returns u with any password replaced by xxxxx: the password
// of its user information, whatever its scheme, and of key=value
// settings, for the errors that print a database URL Parse refuses.
func hidePassword(u string) string {
	if keyValueString.MatchString(u) {
		return keywordPassword.ReplaceAllString(u, "${1}xxxxx")
	}
	return userInfo.ReplaceAllString(u, "${1}${2}:xxxxx@")
}

// schemePrefix matches text that starts as a URL does, with a scheme and a
// colon (RFC 3986: a letter, then letters, digits, "+", "-" or "."): such a
// value is never taken for a SQLite file name.
var schemePrefix = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)

// hasScheme reports whether u starts with prefix, a scheme and what follows
// it, ignoring the case of the scheme as URLs do.
func hasScheme(u, prefix string) bool {
	return len(u) >= len(prefix) && strings.EqualFold(u[:len(prefix)], prefix)
}

// Describe says in words which store and database databaseURL names, with
// any password redacted: "SQLite file /abs/path.db" or "PostgreSQL database
// postgres://user:xxxxx@host/db". It assumes Parse accepts databaseURL.
func Describe(databaseURL string) string {
	kind, target, err := Parse(databaseURL)
	if err != nil {
		return err.Error()
	}
	if kind == SQLite {
		if abs, err := filepath.Abs(target); err == nil {
			target = abs
		}
		return "SQLite file " + target
	}
	return "PostgreSQL database " + redact(target)
}

// keywordPassword matches the password of a keyword/value string, quoted or not.
var keywordPassword = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)

// redact hides the password of a PostgreSQL URL or keyword/value string.
func redact(target string) string {
	if keywordString.MatchString(target) {
		return keywordPassword.ReplaceAllString(target, "${1}xxxxx")
	}
	pu, err := url.Parse(target)
	if err != nil {
		return "(unparsable URL)"
	}
	q := pu.Query()
	masked := false
	for name := range q {
		if strings.Contains(strings.ToLower(name), "password") { // password, sslpassword
			q.Set(name, "xxxxx")
			masked = true
		}
	}
	if masked {
		pu.RawQuery = q.Encode()
	}
	return pu.Redacted()
}

// Open opens the store that databaseURL names. It does not migrate; a
// SQLite file that does not exist is created. Its errors name no setting.
func Open(ctx context.Context, databaseURL string) (store.Store, error) {
	kind, target, err := Parse(databaseURL)
	if err != nil {
		return nil, err
	}
	switch kind {
	case Postgres:
		s, err := postgres.Open(ctx, target)
		if err != nil {
			return nil, err
		}
		return s, nil
	default:
		if dir := filepath.Dir(target); dir != "" {
			if info, err := os.Stat(dir); err != nil || !info.IsDir() {
				return nil, fmt.Errorf("SQLite file %q: its folder %q does not exist; create it first", target, dir)
			}
		}
		s, err := sqlite.Open(ctx, target)
		if err != nil {
			return nil, fmt.Errorf("SQLite file %q: %w", target, err)
		}
		return s, nil
	}
}

// OpenExisting opens the store that databaseURL names when it exists and is
// fully migrated, for the commands that only use a database `hookrelay
// migrate` or `serve` made. Otherwise the error wraps ErrNoDatabase and says
// where it looked (Describe) and that `hookrelay migrate` creates it; a
// missing SQLite file is not created.
func OpenExisting(ctx context.Context, databaseURL string) (store.Store, error) {
	kind, target, err := Parse(databaseURL)
	if err != nil {
		return nil, err
	}
	where := Describe(databaseURL)
	if kind == SQLite {
		if _, err := os.Stat(target); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w at %s (DATABASE_URL); run `hookrelay migrate` to create it", ErrNoDatabase, where)
		}
	}
	st, err := Open(ctx, databaseURL)
	if err != nil {
		return nil, err
	}
	current, err := st.MigrationsCurrent(ctx)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if !current {
		st.Close()
		return nil, fmt.Errorf("%w at %s (DATABASE_URL): it is not migrated; run `hookrelay migrate` first", ErrNoDatabase, where)
	}
	return st, nil
}

// migrationLister is what both stores offer beside store.Store to say which
// migrations are applied.
type migrationLister interface {
	AppliedMigrations(ctx context.Context) ([]string, error)
}

// Migrate applies st's pending migrations and returns the names of those
// this call applied, in order (none when the schema was current). st must be
// a store that Open returned.
func Migrate(ctx context.Context, st store.Store) ([]string, error) {
	lister, ok := st.(migrationLister)
	if !ok {
		return nil, fmt.Errorf("migrate: %T cannot list its migrations", st)
	}
	before, err := lister.AppliedMigrations(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if err := st.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	after, err := lister.AppliedMigrations(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var applied []string
	for _, name := range after {
		if !slices.Contains(before, name) {
			applied = append(applied, name)
		}
	}
	return applied, nil
}
