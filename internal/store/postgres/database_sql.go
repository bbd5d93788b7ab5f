package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// sqlQuerier runs the store's statements on a database/sql transaction of
// PostgreSQL, whatever its driver (pgx/stdlib, lib/pq), so that the SQL
// written for pgx runs unchanged in an application's *sql.Tx. It is a querier:
// the same functions publish and write endpoints on pgx and on database/sql.
//
// database/sql drivers do not all bind or scan what pgx does, so the
// differences are bridged here, on the database/sql path only (the pgx path
// does not go through it):
//   - parameters: []string, []int64 and []int become PostgreSQL array
//     literals ("{…}", every statement casts them or gives them a typed
//     column), map[string]string becomes JSON text, json.RawMessage becomes
//     text (lib/pq would send []byte as bytea), pointers are dereferenced
//     (nil is NULL);
//   - results: text[] scans into []string, jsonb into map[string]string and
//     json.RawMessage (from text or bytes), and every timestamp in UTC, as
//     Open's pools scan them.
type sqlQuerier struct {
	tx sqlRunner
}

// sqlRunner is what sqlQuerier needs of a *sql.Tx (or *sql.Conn, *sql.DB).
type sqlRunner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

var _ querier = sqlQuerier{}

// Exec runs a statement; its command tag carries only the rows affected.
func (q sqlQuerier) Exec(ctx context.Context, query string, args ...any) (pgconn.CommandTag, error) {
	res, err := q.tx.ExecContext(ctx, query, sqlArgs(args)...)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return pgconn.CommandTag{}, fmt.Errorf("rows affected: %w", err)
	}
	return pgconn.NewCommandTag("SQL " + strconv.FormatInt(n, 10)), nil
}

// Query runs a query.
func (q sqlQuerier) Query(ctx context.Context, query string, args ...any) (pgx.Rows, error) {
	rows, err := q.tx.QueryContext(ctx, query, sqlArgs(args)...)
	if err != nil {
		return nil, err
	}
	return &sqlRows{rows: rows}, nil
}

// QueryRow runs a query of one row; none is pgx.ErrNoRows on Scan.
func (q sqlQuerier) QueryRow(ctx context.Context, query string, args ...any) pgx.Row {
	rows, err := q.tx.QueryContext(ctx, query, sqlArgs(args)...)
	return sqlRow{rows: rows, err: err}
}

// sqlArgs converts the parameters that pgx binds and database/sql drivers
// may not (see sqlQuerier).
func sqlArgs(args []any) []any {
	if len(args) > 0 {
		if _, ok := args[0].(pgx.QueryExecMode); ok {
			args = args[1:] // pgx's own option (see planEachTime): not a parameter
		}
	}
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = sqlArg(a)
	}
	return out
}

func sqlArg(a any) any {
	switch v := a.(type) {
	case []string:
		if v == nil {
			return nil
		}
		return textArray(v)
	case []int64:
		if v == nil {
			return nil
		}
		return intArray(v)
	case []int:
		if v == nil {
			return nil
		}
		return intArray(v)
	case map[string]string:
		b, err := json.Marshal(v)
		if err != nil { // a map of strings always marshals
			panic(err)
		}
		return string(b)
	case json.RawMessage:
		if v == nil {
			return nil
		}
		return string(v)
	case *string:
		return deref(v)
	case *int:
		return deref(v)
	case *bool:
		return deref(v)
	case *time.Time:
		return deref(v)
	case *[]string:
		if v == nil {
			return nil
		}
		return sqlArg(*v)
	}
	return a
}

// deref is *p, or nil (NULL) for a nil p.
func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// textArray is a PostgreSQL array literal of s, every element quoted.
func textArray(s []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		for _, r := range v {
			if r == '"' || r == '\\' {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

// intArray is a PostgreSQL array literal of s.
func intArray[T int | int64](s []T) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(int64(v), 10))
	}
	b.WriteByte('}')
	return b.String()
}

// parseTextArray reads a one-dimensional PostgreSQL array literal of text,
// as PostgreSQL writes it: elements quoted when they need it, with
// backslash escapes inside quotes. NULL elements read as "".
func parseTextArray(s string) ([]string, error) {
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return nil, fmt.Errorf("not an array literal: %q", s)
	}
	body := s[1 : len(s)-1]
	out := []string{}
	if body == "" {
		return out, nil
	}
	for i := 0; ; {
		var elem strings.Builder
		quoted := i < len(body) && body[i] == '"'
		if quoted {
			i++
			for ; i < len(body) && body[i] != '"'; i++ {
				if body[i] == '\\' && i+1 < len(body) {
					i++
				}
				elem.WriteByte(body[i])
			}
			if i >= len(body) {
				return nil, fmt.Errorf("unterminated quote in array literal %q", s)
			}
			i++ // the closing quote
		} else {
			for ; i < len(body) && body[i] != ','; i++ {
				elem.WriteByte(body[i])
			}
		}
		v := elem.String()
		if !quoted && v == "NULL" {
			v = ""
		}
		out = append(out, v)
		if i >= len(body) {
			return out, nil
		}
		if body[i] != ',' {
			return nil, fmt.Errorf("unexpected %q in array literal %q", body[i], s)
		}
		i++
	}
}

// sqlRows is *sql.Rows as pgx.Rows, for pgx.CollectRows and queryAll.
type sqlRows struct {
	rows *sql.Rows
	err  error
}

var _ pgx.Rows = (*sqlRows)(nil)

func (r *sqlRows) Close() { r.rows.Close() }

func (r *sqlRows) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.rows.Err()
}

func (r *sqlRows) CommandTag() pgconn.CommandTag { return pgconn.CommandTag{} }

func (r *sqlRows) FieldDescriptions() []pgconn.FieldDescription { return nil }

func (r *sqlRows) Next() bool { return r.err == nil && r.rows.Next() }

// Scan scans the current row into dest, bridged (see sqlQuerier).
func (r *sqlRows) Scan(dest ...any) error {
	if err := r.rows.Scan(sqlDests(dest)...); err != nil {
		r.err = err
		return err
	}
	return nil
}

func (r *sqlRows) Values() ([]any, error) {
	return nil, errors.New("values of a database/sql row are not supported")
}

func (r *sqlRows) RawValues() [][]byte { return nil }

func (r *sqlRows) Conn() *pgx.Conn { return nil }

func (r *sqlRows) TypeMap() *pgtype.Map { return nil }

// sqlRow is the one row of QueryRow.
type sqlRow struct {
	rows *sql.Rows
	err  error
}

// Scan scans the first row into dest and closes the rows; no row is
// pgx.ErrNoRows.
func (r sqlRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(sqlDests(dest)...); err != nil {
		return err
	}
	return r.rows.Close()
}

// sqlDests wraps the destinations that database/sql does not fill as pgx
// does (see sqlQuerier).
func sqlDests(dest []any) []any {
	out := make([]any, len(dest))
	for i, d := range dest {
		switch v := d.(type) {
		case *[]string:
			out[i] = textScanner(v, parseTextArray)
		case *map[string]string:
			out[i] = textScanner(v, parseJSONMap)
		case *json.RawMessage:
			out[i] = textScanner(v, parseRaw)
		case *time.Time:
			out[i] = scanFunc(func(src any) error { return scanTime(v, src) })
		case **time.Time:
			out[i] = scanFunc(func(src any) error {
				if src == nil {
					*v = nil
					return nil
				}
				var t time.Time
				if err := scanTime(&t, src); err != nil {
					return err
				}
				*v = &t
				return nil
			})
		default:
			out[i] = d
		}
	}
	return out
}

// scanFunc is a sql.Scanner.
type scanFunc func(src any) error

func (f scanFunc) Scan(src any) error { return f(src) }

// text is src as text: a string or bytes.
func text(src any) (string, error) {
	switch v := src.(type) {
	case string:
		return v, nil
	case []byte:
		return string(v), nil
	}
	return "", fmt.Errorf("cannot scan %T as text", src)
}

// textScanner scans text (a string or bytes) into dst with parse; NULL is
// dst's zero value.
func textScanner[T any](dst *T, parse func(string) (T, error)) scanFunc {
	return func(src any) error {
		if src == nil {
			var zero T
			*dst = zero
			return nil
		}
		s, err := text(src)
		if err != nil {
			return err
		}
		*dst, err = parse(s)
		return err
	}
}

// parseJSONMap reads a JSON object of strings.
func parseJSONMap(s string) (map[string]string, error) {
	var m map[string]string
	err := json.Unmarshal([]byte(s), &m)
	return m, err
}

// parseRaw reads JSON as it is.
func parseRaw(s string) (json.RawMessage, error) { return json.RawMessage(s), nil }

func scanTime(dst *time.Time, src any) error {
	t, ok := src.(time.Time)
	if !ok {
		return fmt.Errorf("cannot scan %T as a time", src)
	}
	*dst = t.UTC()
	return nil
}

// CheckSameDatabase refuses db, an application's database/sql handle, when
// it does not reach the database and schema of the store's pool (its
// current_database() and current_schema(), the first schema of its
// search_path that exists): events published in db's transactions would be
// written where the store's workers never look.
func (s *Store) CheckSameDatabase(ctx context.Context, db *sql.DB) error {
	const where = `SELECT current_database(), coalesce(current_schema(), '')`
	var poolDB, poolSchema, appDB, appSchema string
	if err := s.pool.QueryRow(ctx, where).Scan(&poolDB, &poolSchema); err != nil {
		return fmt.Errorf("read the database of the URL: %w", err)
	}
	if err := db.QueryRowContext(ctx, where).Scan(&appDB, &appSchema); err != nil {
		return fmt.Errorf("read the database of the handle: %w", err)
	}
	if poolDB != appDB || poolSchema != appSchema {
		return fmt.Errorf("the handle reaches database %q, schema %q, and the URL database %q, schema %q: they must be the same", appDB, appSchema, poolDB, poolSchema)
	}
	return nil
}
