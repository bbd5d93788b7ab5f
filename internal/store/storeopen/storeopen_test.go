package storeopen

import (
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
		{"", "", "", "empty"},
		{"sqlite:", "", "", "names no SQLite file"},
		{"mysql://localhost/db", "", "", `unsupported scheme "mysql"`},
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
