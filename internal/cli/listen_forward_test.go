package cli_test

import "testing"

func TestCLIListenForwardToIsChecked(t *testing.T) {
	r := runCLI("listen", "--port", "0", "--secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "--forward-to", "ftp://localhost/hooks")
	checkFails(t, r, 2, "must be an http:// or https:// URL", []string{"listen --forward-to ftp://…"})
}

func TestCLIListenStatusAndForwardToExcludeEachOther(t *testing.T) {
	r := runCLI("listen", "--port", "0", "--status", "503", "--forward-to", "http://localhost:3000/hooks")
	checkFails(t, r, 2, "--status and --forward-to exclude each other", []string{"listen --status 503 --forward-to …"})
}
