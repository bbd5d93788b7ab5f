package signature_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/signature"
)

func TestKey(t *testing.T) {
	tests := []struct {
		secret  string
		want    []byte
		wantErr error
	}{
		{"whsec_AAECAw==", []byte{0, 1, 2, 3}, nil},
		{"change-me", []byte("change-me"), nil},
		{"WHSEC_AAECAw==", []byte("WHSEC_AAECAw=="), nil}, // the prefix is case-sensitive
		{"whsec_not base64", nil, signature.ErrInvalidSecret},
		{"whsec_", nil, signature.ErrInvalidSecret},
		{"", nil, signature.ErrNoSecret},
	}
	for _, tt := range tests {
		got, err := signature.Key(tt.secret)
		if !errors.Is(err, tt.wantErr) || !bytes.Equal(got, tt.want) {
			t.Errorf("Key(%q) = %v, %v; want %v, %v", tt.secret, got, err, tt.want, tt.wantErr)
		}
		if keyPart := strings.TrimPrefix(tt.secret, "whsec_"); err != nil && keyPart != "" && strings.Contains(err.Error(), keyPart) {
			t.Errorf("Key(%q) error repeats the secret: %v", tt.secret, err)
		}
	}
}

func TestGenerateSecret(t *testing.T) {
	seen := map[string]bool{}
	for range 20 {
		secret, err := signature.GenerateSecret()
		if err != nil {
			t.Fatal(err)
		}
		encoded, ok := strings.CutPrefix(secret, "whsec_")
		if !ok {
			t.Fatalf("secret %q lacks the whsec_ prefix", secret)
		}
		key, err := base64.StdEncoding.DecodeString(encoded)
		if err != nil || len(key) != 24 {
			t.Fatalf("secret %q: key of %d bytes, err %v; want 24 bytes of standard base64", secret, len(key), err)
		}
		if seen[secret] {
			t.Fatalf("secret %q generated twice", secret)
		}
		seen[secret] = true
	}
}

func TestStandardSecretNamesTheSameKey(t *testing.T) {
	for _, secret := range []string{"change-me", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "ünïcødé secret"} {
		std, err := signature.StandardSecret(secret)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(std, "whsec_") {
			t.Errorf("StandardSecret(%q) = %q, want the whsec_ form", secret, std)
		}
		want, _ := signature.Key(secret)
		got, _ := signature.Key(std)
		if !bytes.Equal(got, want) {
			t.Errorf("StandardSecret(%q) = %q names key %x, want %x", secret, std, got, want)
		}
	}
	if got, _ := signature.StandardSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"); got != "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" {
		t.Errorf("a whsec_ secret changed: %q", got)
	}
}
