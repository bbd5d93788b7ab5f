package mask

import "testing"

// TestURLLeavesOutSecrets: URL drops user information, query and fragment,
// also of a URL that does not parse; URLsIn does so for every URL quoted in
// an error message and leaves the rest of it as it is.
func TestURLLeavesOutSecrets(t *testing.T) {
	wantMasks(t, "URL", URL, map[string]string{
		"https://user:pass@example.com/hook?token=x#f": "https://example.com/hook",
		"http://127.0.0.1:8080/a/b":                    "http://127.0.0.1:8080/a/b",
		"http://u:p@[::1/x?token=s":                    "http://[::1/x",
	})
	wantMasks(t, "URLsIn", URLsIn, map[string]string{
		`Post "http://127.0.0.1:9/hooks?token=s3cr3t": dial tcp 127.0.0.1:9: connect: connection refused`: `Post "http://127.0.0.1:9/hooks": dial tcp 127.0.0.1:9: connect: connection refused`,
		`endpoint answered 500 Internal Server Error`:                                                     `endpoint answered 500 Internal Server Error`,
		`redirect to https://a.example/x?k=1 and https://b.example/y#z`:                                   `redirect to https://a.example/x and https://b.example/y`,
	})
}
