package store

import (
	"errors"
	"net"
	"strings"
)

// ErrUnavailable reports that the database cannot take the request now: it
// is unreachable, read-only or full. Nothing was written; the same request
// may succeed once an operator has fixed the database. Unavailable
// recognises it, and the driver errors that mean the same.
var ErrUnavailable = errors.New("the database is unavailable (unreachable, read-only or full)")

// UnavailableMessage is what the HTTP doors (the API's error answer, the
// dashboard's error page, both 503) tell a person whose request found the
// database unable to take it (Unavailable).
const UnavailableMessage = "the database cannot take requests now (unreachable, read-only or full); nothing was written; try again later"

// Unavailable reports whether err means the database cannot take requests
// now, rather than that the request or hookrelay is wrong:
//   - ErrUnavailable;
//   - a network error reaching the database (connection refused, reset,
//     timed out);
//   - a PostgreSQL error (any error with a SQLState method, as pgconn's) of
//     class 08 (connection exception), 53 (insufficient resources: 53100
//     disk full, 53200 out of memory, 53300 too many connections), 57P01 to
//     57P03 (the server shuts down or starts), 58030 (I/O error), or 25006
//     (read-only transaction: a standby, or default_transaction_read_only);
//   - a SQLite error (any error with a Code method, as modernc's) whose
//     primary result code is SQLITE_BUSY, SQLITE_READONLY, SQLITE_IOERR,
//     SQLITE_FULL or SQLITE_CANTOPEN.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrUnavailable) {
		return true
	}
	var netErr *net.OpError
	if errors.As(err, &netErr) {
		return true
	}
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		return unavailableSQLState(pg.SQLState())
	}
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		return unavailableSQLiteCode(lite.Code())
	}
	return false
}

// unavailableSQLState reports whether a PostgreSQL SQLSTATE means the
// server cannot take requests now (see Unavailable).
func unavailableSQLState(code string) bool {
	switch {
	case strings.HasPrefix(code, "08"), strings.HasPrefix(code, "53"):
		return true
	}
	switch code {
	case "25006", "57P01", "57P02", "57P03", "58030":
		return true
	}
	return false
}

// SQLite primary result codes (https://sqlite.org/rescode.html).
const (
	sqliteBusy     = 5
	sqliteReadOnly = 8
	sqliteIOErr    = 10
	sqliteFull     = 13
	sqliteCantOpen = 14
)

// unavailableSQLiteCode reports whether a SQLite result code, extended or
// primary, means the file cannot take writes now (see Unavailable).
func unavailableSQLiteCode(code int) bool {
	switch code & 0xff {
	case sqliteBusy, sqliteReadOnly, sqliteIOErr, sqliteFull, sqliteCantOpen:
		return true
	}
	return false
}

// WriteProbe is the statement of CheckWritable, the same on both stores: it
// writes the latest row of the migrations table over with itself, so that
// the database must write and commit (PostgreSQL refuses it in a read-only
// transaction, SQLite on a read-only or full file) while no value changes.
const WriteProbe = `
	UPDATE hookrelay_schema_migrations SET version = version
	WHERE version = (SELECT max(version) FROM hookrelay_schema_migrations)`

// PermissionDenied reports whether err is PostgreSQL's refusal of a
// statement for want of privileges (SQLSTATE 42501), which is also how a
// row-level security policy refuses a row (Ackify CE's, when the session
// sets no app.tenant_id).
func PermissionDenied(err error) bool {
	var pg interface{ SQLState() string }
	return errors.As(err, &pg) && pg.SQLState() == "42501"
}
