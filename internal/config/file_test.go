package config_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/config"
)

func TestParseFile(t *testing.T) {
	const file = "\uFEFF# hookrelay settings\n" +
		`DATABASE_URL = "postgres://hookrelay:p%23ss@db:5432/hookrelay?sslmode=disable"` + "\n" +
		"\n" +
		"HOOKRELAY_CONCURRENCY = 32\n" +
		"HOOKRELAY_ALLOW_PRIVATE_TARGETS = true # development\n" +
		"WEBHOOK_URLS=https://a.example/hooks,https://b.example/hooks#frag\n" +
		"export WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'\n" +
		`HOOKRELAY_API_TOKEN = "quote\"d \u00e9" # a comment` + "\n" +
		"HOOKRELAY_LOG_FORMAT =\n"
	got, err := config.ParseFile(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"DATABASE_URL":                    "postgres://hookrelay:p%23ss@db:5432/hookrelay?sslmode=disable",
		"HOOKRELAY_CONCURRENCY":           "32",
		"HOOKRELAY_ALLOW_PRIVATE_TARGETS": "true",
		"WEBHOOK_URLS":                    "https://a.example/hooks,https://b.example/hooks#frag",
		"WEBHOOK_SECRET":                  "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		"HOOKRELAY_API_TOKEN":             `quote"d é`,
		"HOOKRELAY_LOG_FORMAT":            "",
	}
	if !maps.Equal(got, want) {
		t.Errorf("ParseFile =\n%q\nwant\n%q", got, want)
	}
}

func TestParseFileErrors(t *testing.T) {
	tests := []struct{ file, want string }{
		{"DATABASE_URL\n", "line 1: want NAME = value"},
		{"# c\ndatabase_url = x\n", `line 2: does not start with a setting name`},
		{"DATABASE_URL: postgres://u:S3cretPW@localhost/db?sslmode=disable\n", `line 1: does not start with a setting name`},
		{"A = 1\nA = 2\n", "line 2: A is already set on line 1"},
		{`A = "open` + "\n", "line 1: A: the quoted value has no closing \""},
		{`A = "x" y` + "\n", `line 1: A: unexpected text after the quoted value`},
		{`A = 'x` + "\n", "line 1: A: the quoted value has no closing '"},
		{`A = "\q"` + "\n", "line 1: A: bad escape"},
		{`A = "x\u0000.db"` + "\n", "line 1: A: "},
	}
	for _, tt := range tests {
		_, err := config.ParseFile(strings.NewReader(tt.file))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseFile(%q) = %v, want %q", tt.file, err, tt.want)
		} else if strings.Contains(err.Error(), "S3cret") {
			t.Errorf("ParseFile(%q) = %v: the error quotes a password", tt.file, err)
		}
	}
}
