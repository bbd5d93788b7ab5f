package endpointrules

import (
	"fmt"
	"strings"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/signature"
)

// maxSecret bounds a secret given by the caller, in bytes: far more than any
// HMAC key needs (a key longer than SHA-256's 64-byte block is hashed first).
const maxSecret = 1024

// NewSecret returns the caller's secret once checked by ValidateSecret for
// an endpoint of profile, or a generated one when given is empty.
func NewSecret(given, profile string) (string, error) {
	if given != "" {
		return given, ValidateSecret(given, profile)
	}
	secret, err := signature.GenerateSecret()
	if err != nil {
		return "", fmt.Errorf("generate secret: %w", err)
	}
	return secret, nil
}

// ValidateSecret checks a secret given by the caller for an endpoint of
// profile: valid UTF-8 without NUL (store.CheckText) and at least 16 bytes of
// HMAC key. Under store.ProfileAckify the key is the secret's raw bytes
// whatever its prefix, as Ackify CE keys it (signature.RawKey), so that is 16
// characters; otherwise 16 characters, or 16 bytes once decoded in the
// whsec_<base64> form (signature.Key). A secret is at most maxSecret bytes.
func ValidateSecret(secret, profile string) error {
	if err := store.ValidText("secret", secret); err != nil {
		return err
	}
	if len(secret) > maxSecret {
		return &store.FieldError{Field: "secret", Message: fmt.Sprintf("is longer than %d bytes", maxSecret)}
	}
	keyOf := signature.Key
	if profile == store.ProfileAckify {
		keyOf = signature.RawKey
	}
	key, err := keyOf(secret)
	if err != nil {
		return &store.FieldError{Field: "secret", Message: err.Error()}
	}
	if len(key) >= MinSecretBytes {
		return nil
	}
	if profile != store.ProfileAckify && strings.HasPrefix(secret, signature.SecretPrefix) {
		return &store.FieldError{Field: "secret", Message: fmt.Sprintf("must decode to at least %d bytes", MinSecretBytes)}
	}
	return &store.FieldError{Field: "secret", Message: fmt.Sprintf("must be at least %d characters", MinSecretBytes)}
}
