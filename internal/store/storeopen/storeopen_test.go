package storeopen

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in         string
		kind       Kind
		target     string
		errContain string
	}{
		{"postgres://u:p@localhost/db", Postgres, "postgres://u:p@localhost/db", ""},
		{"postgresql://localhost/db?sslmode=disable", Postgres, "postgresql://localhost/db?sslmode=disable", ""},
		{"hookrelay.db", SQLite, "hookrelay.db", ""},
		{"/var/lib/hookrelay/data.db", SQLite, "/var/lib/hookrelay/data.db", ""},
		{"sqlite:data/hr.db", SQLite, "data/hr.db", ""},
		{"sqlite:///abs/hr.db", SQLite, "/abs/hr.db", ""},
		{"file:y.db", SQLite, "y.db", ""},
		{"file:///abs/y.db", SQLite, "/abs/y.db", ""},
		{"host=localhost user=postgres", Postgres, "host=localhost user=postgres", ""},
		{"user = postgres dbname=x", Postgres, "user = postgres dbname=x", ""},
		{"file:y.db?mode=ro", "", "", "take no options"},
		{"", "", "", "empty"},
		{"sqlite:", "", "", "names no SQLite file"},
		{"mysql://localhost/db", "", "", `unsupported scheme "mysql"`},
		{"mysql:foo.db", "", "", `unsupported scheme "mysql"`},
		{"sqlite3:/tmp/x.db", "", "", `unsupported scheme "sqlite3"`},
		{"POSTGRES://localhost/db", Postgres, "postgres://localhost/db", ""},
		{"SQLite:hr.db", SQLite, "hr.db", ""},
		{"./mysql:foo.db", SQLite, "./mysql:foo.db", ""},
		{"Host=localhost user=postgres dbname=postgres", "", "", "looks like key=value settings"},
		{"USER = x", "", "", "looks like key=value settings"},
		{"./Host=x.db", SQLite, "./Host=x.db", ""},
	}
	for _, tt := range tests {
		kind, target, err := Parse(tt.in)
		if tt.errContain != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errContain) {
				t.Errorf("Parse(%q) error = %v, want %q", tt.in, err, tt.errContain)
			}
			continue
		}
		if err != nil || kind != tt.kind || target != tt.target {
			t.Errorf("Parse(%q) = %s, %q, %v; want %s, %q", tt.in, kind, target, err, tt.kind, tt.target)
		}
	}
}

func TestDescribeRedactsPasswords(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://u:secret@localhost/db", "PostgreSQL database postgres://u:xxxxx@localhost/db"},
		{"postgres://localhost/db?password=secret", "PostgreSQL database postgres://localhost/db?password=xxxxx"},
		{"postgres://u@localhost/db?sslmode=disable&sslpassword=secret", "PostgreSQL database postgres://u@localhost/db?sslmode=disable&sslpassword=xxxxx"},
		{"host=h password=secret user=u", "PostgreSQL database host=h password=xxxxx user=u"},
		{"host=h password='se cret' user=u", "PostgreSQL database host=h password=xxxxx user=u"},
		{"/abs/hr.db", "SQLite file /abs/hr.db"},
	}
	for _, tt := range tests {
		if got := Describe(tt.in); got != tt.want || strings.Contains(got, "secret") {
			t.Errorf("Describe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A SQLite file in a folder that does not exist is refused saying so, not
// as a database that is unavailable.
func TestOpenSaysTheFolderIsMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no-such-folder", "hookrelay.db")
	_, err := Open(t.Context(), path)
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("Open(%s) = %v, want an error saying the folder does not exist", path, err)
	}
}

// TestParseHidesPasswords: a database URL that Parse refuses is printed in
// its error without its password, whatever its scheme or form.
func TestParseHidesPasswords(t *testing.T) {
	for _, in := range []string{
		"postgress://u:S3cretPW@localhost/db",
		"mysql://root:S3cretPW@tcp(localhost:3306)/db",
		"postgres:u:S3cretPW@host/db",
		"postgres:u:S3c/ret@S3cPW@host/db",
		"Host=localhost user=postgres Password=S3cretPW dbname=postgres",
		"sqlite://u:S3cretPW@/x.db?mode=ro",
	} {
		_, _, err := Parse(in)
		if err == nil || strings.Contains(err.Error(), "S3c") || !strings.Contains(err.Error(), "xxxxx") {
			t.Errorf("Parse(%q) = %v, want an error with the password hidden", in, err)
		}
	}
}
