package migration

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadSortsByVersion(t *testing.T) {
	fsys := fstest.MapFS{
		"m/010_later.sql":  {Data: []byte("SELECT 10;")},
		"m/002_second.sql": {Data: []byte("SELECT 2;")},
		"m/001_first.sql":  {Data: []byte("SELECT 1;")},
		"m/README.md":      {Data: []byte("not a migration")},
	}
	all, err := Load(fsys, "m")
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, m := range all {
		got = append(got, m.Version)
	}
	if len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 10 || all[2].SQL != "SELECT 10;" {
		t.Fatalf("versions %v", got)
	}
	pending := Pending(all, map[int]bool{1: true, 10: true})
	if len(pending) != 1 || pending[0].Name != "002_second.sql" {
		t.Fatalf("pending %+v", pending)
	}
}

func TestLoadRejectsBadNames(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"no number": {"m/init.sql": {}},
		"zero":      {"m/000_init.sql": {}},
		"duplicate": {"m/001_a.sql": {}, "m/001_b.sql": {}},
	} {
		if _, err := Load(fsys, "m"); err == nil || !strings.Contains(err.Error(), "migration") {
			t.Errorf("%s: err = %v, want a clear error", name, err)
		}
	}
}
