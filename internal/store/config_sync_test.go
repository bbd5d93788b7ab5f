package store

import "testing"

func TestURLHost(t *testing.T) {
	for u, want := range map[string]string{
		"https://hooks.example.com/in?x=1":   "hooks.example.com",
		"https://user:pw@hooks.example:8443": "hooks.example:8443",
		"not a url":                          "not a url",
		"/relative/path":                     "/relative/path",
	} {
		if got := URLHost(u); got != want {
			t.Errorf("URLHost(%q) = %q, want %q", u, got, want)
		}
	}
}
