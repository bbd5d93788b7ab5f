package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/sqlite"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

func TestPublishIsIdempotent(t *testing.T) {
	t.Setenv("DATABASE_URL", filepath.Join(t.TempDir(), "hookrelay.db"))
	if _, stderr, code := runCLI(t, "migrate"); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}
	id := store.NewEventID()
	for i, wantCreated := range []bool{true, false} {
		stdout, stderr, code := runCLI(t, "publish", "--type", "document.created", "--data", `{"doc":"a"}`, "--id", id, "--ordering-key", "doc-a")
		if code != 0 {
			t.Fatalf("publish %d: exit %d: %s", i, code, stderr)
		}
		var got struct {
			EventID    string `json:"event_id"`
			Created    bool   `json:"created"`
			Deliveries int    `json:"deliveries"`
		}
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatalf("publish output %q: %v", stdout, err)
		}
		if got.EventID != id || got.Created != wantCreated {
			t.Errorf("publish %d = %+v, want event %s created %v", i, got, id, wantCreated)
		}
	}
}

func TestPublishRejectsBadInput(t *testing.T) {
	t.Setenv("DATABASE_URL", filepath.Join(t.TempDir(), "hookrelay.db"))
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"publish", "--data", "{}"}, "--type"},
		{[]string{"publish", "--type", "a.b", "--data", "{not json"}, "--data: is not valid JSON"},
		{[]string{"publish", "--type", "a.b", "--id", "order-42"}, `--id: "order-42" is not a UUID`},
		{[]string{"publish", "--type", "has space"}, "--type"},
		{[]string{"publish", "--type", "a.b", "--data", `{"note":"a\u0000b"}`}, `--data: has a \u0000 escape`},
		{[]string{"publish", "--type", "a.b", "--data", `{"s":"\ud800"}`}, "--data: has an unpaired surrogate"},
		{[]string{"publish", "--type", "a.b", "--data", "{\"s\":\"caf\xe9\"}"}, "is not valid UTF-8"},
		{[]string{"publish", "--type", "a.b", "--ordering-key", strings.Repeat("k", 256)}, "--ordering-key: is longer than 255 bytes"},
	}
	for _, tt := range tests {
		_, stderr, code := runCLI(t, tt.args...)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tt.args, code, stderr, tt.want)
		}
	}
}

// TestPublishToReadOnlyDatabase: publishing on a PostgreSQL session whose
// transactions are read-only says so in one line, with exit 1.
func TestPublishToReadOnlyDatabase(t *testing.T) {
	u := testdb.PostgresURL(t)
	t.Setenv("DATABASE_URL", u)
	if _, stderr, code := runCLI(t, "migrate"); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}
	t.Setenv("DATABASE_URL", u+"&options=-c%20default_transaction_read_only%3Don")
	_, stderr, code := runCLI(t, "publish", "--type", "document.created")
	if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, store.ErrUnavailable.Error()) {
		t.Errorf("publish on a read-only database: exit %d, stderr %q; want exit 1 and one line saying the database is unavailable", code, stderr)
	}
}

// TestPublishInATenant: hookrelay publish --tenant stores the event in the
// tenant, for the tenant's endpoints only; a bad tenant is a usage error.
func TestPublishInATenant(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hookrelay.db")
	t.Setenv("DATABASE_URL", path)
	if _, stderr, code := runCLI(t, "migrate"); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}
	if _, stderr, code := runCLI(t, "publish", "--type", "a.b", "--tenant", "a b"); code != 2 || !strings.Contains(stderr, "--tenant-id: ") {
		t.Errorf("publish --tenant 'a b': exit %d, stderr %q; want a usage error on the tenant", code, stderr)
	}
	stdout, stderr, code := runCLI(t, "publish", "--type", "a.b", "--tenant", "acme")
	if code != 0 {
		t.Fatalf("publish --tenant acme: exit %d: %s", code, stderr)
	}
	var got struct {
		EventID string `json:"event_id"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("publish output %q: %v", stdout, err)
	}
	st, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if ev, err := st.GetEvent(t.Context(), got.EventID); err != nil || ev.TenantID != "acme" {
		t.Errorf("stored event %+v (%v), want tenant acme", ev, err)
	}
}
