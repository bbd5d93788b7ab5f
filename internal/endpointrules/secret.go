package endpointrules

import (
	"fmt"
	"strings"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/signature"
)

// minSecretBytes is the shortest accepted HMAC key.
const minSecretBytes = 16

// NewSecret returns the caller's secret once checked by ValidateSecret, or a
// generated one when given is empty.
func NewSecret(given string) (string, error) {
	if given != "" {
		return given, ValidateSecret(given)
	}
	secret, err := signature.GenerateSecret()
	if err != nil {
		return "", fmt.Errorf("generate secret: %w", err)
	}
	return secret, nil
}

// ValidateSecret checks a secret given by the caller: at least 16 bytes of
// HMAC key, that is 16 characters, or 16 bytes once decoded in the
// whsec_<base64> form, of valid UTF-8 without NUL (store.CheckText).
func ValidateSecret(secret string) error {
	if err := store.ValidText("secret", secret); err != nil {
		return err
	}
	key, err := signature.Key(secret)
	if err != nil {
		return &store.FieldError{Field: "secret", Message: err.Error()}
	}
	if len(key) >= minSecretBytes {
		return nil
	}
	if strings.HasPrefix(secret, signature.SecretPrefix) {
		return &store.FieldError{Field: "secret", Message: fmt.Sprintf("must decode to at least %d bytes", minSecretBytes)}
	}
	return &store.FieldError{Field: "secret", Message: fmt.Sprintf("must be at least %d characters", minSecretBytes)}
}
