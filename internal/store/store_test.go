package store

import "testing"

func TestEffectiveProfile(t *testing.T) {
	for profile, want := range map[string]string{"": ProfileStandard, ProfileStandard: ProfileStandard, ProfileAckify: ProfileAckify} {
		if got := (Endpoint{SignatureProfile: profile}).EffectiveProfile(); got != want {
			t.Errorf("EffectiveProfile of %q = %q, want %q", profile, got, want)
		}
	}
}
