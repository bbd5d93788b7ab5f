package store

import "testing"

func TestCanonicalEventID(t *testing.T) {
	for id, want := range map[string]string{
		"A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C5D": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
		"a1b2c3d4e5f64a7b8c9d0e1f2a3b4c5d":     "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
		"not-a-uuid":                           "",
		"":                                     "",
	} {
		got, ok := CanonicalEventID(id)
		if got != want || ok != (want != "") {
			t.Errorf("CanonicalEventID(%q) = %q, %v; want %q", id, got, ok, want)
		}
	}
}
