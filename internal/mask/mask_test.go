package mask

import "testing"

// wantMasks checks that mask, named name, masks each key of cases as its
// value.
func wantMasks(t *testing.T, name string, mask func(string) string, cases map[string]string) {
	t.Helper()
	for in, want := range cases {
		if got := mask(in); got != want {
			t.Errorf("%s(%q) = %q, want %q", name, in, got, want)
		}
	}
}

func TestSecret(t *testing.T) {
	wantMasks(t, "Secret", Secret, map[string]string{
		"":                                       "…",
		"0123456789abcdef":                       "…", // 16 characters show nothing
		"0123456789abcdefghij":                   "…ghij",
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw": "whsec_…LaSw",
		"whsec_short":                            "whsec_…",
		"whsec_my-ackify-secret":                 "whsec_…",
	})
}

func TestHeaderValue(t *testing.T) {
	wantMasks(t, "HeaderValue", HeaderValue, map[string]string{
		"acme":                                "…",
		"Bearer sk_live_0123456789abcdefWXYZ": "Bearer …WXYZ",
		"Bearer short":                        "Bearer …",
		"Basic dXNlcjpwYXNz":                  "Basic …",
		"Basic dXNlcjpsb25nLXBhc3N3b3JkLTEyMzQ1Ng==": "Basic …Ng==",
		"a value with spaces that is long enough":    "…ough",
		"bearer 0123456789abcdefghij":                "bearer …ghij",
		"0123456789abcdefghij0123":                   "…0123",
	})
	if got := Headers(map[string]string{"Authorization": "Bearer 0123456789abcdefghijkl", "X-Tenant": "acme"}); got["Authorization"] != "Bearer …ijkl" || got["X-Tenant"] != "…" {
		t.Errorf("Headers = %v", got)
	}
	if Headers(nil) != nil {
		t.Error("Headers(nil) is not nil")
	}
}

func TestRequestHeaders(t *testing.T) {
	own := func(name string) bool { return name == "X-Event-Id" }
	got := RequestHeaders(map[string]string{"X-Event-Id": "0190a6c5", "Authorization": "Bearer 0123456789abcdefghijkl"}, own)
	if got["X-Event-Id"] != "0190a6c5" || got["Authorization"] != "Bearer …ijkl" || len(got) != 2 {
		t.Errorf("RequestHeaders = %v", got)
	}
	if RequestHeaders(nil, own) != nil {
		t.Error("RequestHeaders(nil) is not nil")
	}
}
