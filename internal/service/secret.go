package service

import (
	"fmt"
	"strings"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/signature"
)

// MinSecretBytes is the shortest HMAC key a signing secret may give, whether
// an endpoint's (every door) or WEBHOOK_SECRET (internal/config).
const MinSecretBytes = 16

// maxSecret bounds a secret given by the caller, in bytes: far more than any
// HMAC key needs (a key longer than SHA-256's 64-byte block is hashed first).
const maxSecret = 1024

// NewSecret returns the caller's secret once checked by ValidateSecret for
// an endpoint of profile, or a generated "whsec_<base64>" one when given is
// empty.
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
// profile: valid UTF-8 without NUL (store.CheckText) and at least
// MinSecretBytes of HMAC key. Under store.ProfileAckify the key is the
// secret's raw bytes whatever its prefix, as Ackify CE keys it
// (signature.RawKey), so that is 16 bytes of UTF-8; otherwise 16 bytes of
// UTF-8 (é counts 2), or 16 bytes once decoded in the whsec_<base64> form
// (signature.Key). A secret
// is at most 1024 bytes. A refusal is a *FieldError on FieldSecret.
func ValidateSecret(secret, profile string) error {
	refuse := func(format string, args ...any) error {
		return &FieldError{Field: FieldSecret, Message: fmt.Sprintf(format, args...)}
	}
	if err := store.CheckText(secret); err != nil {
		return refuse("%v", err)
	}
	if len(secret) > maxSecret {
		return refuse("is longer than %d bytes", maxSecret)
	}
	keyOf := signature.Key
	if profile == store.ProfileAckify {
		keyOf = signature.RawKey
	}
	key, err := keyOf(secret)
	if err != nil {
		return refuse("%v", err)
	}
	if len(key) >= MinSecretBytes {
		return nil
	}
	if profile != store.ProfileAckify && strings.HasPrefix(secret, signature.SecretPrefix) {
		return refuse("must decode to at least %d bytes", MinSecretBytes)
	}
	return refuse("must be at least %d bytes (UTF-8: é counts 2)", MinSecretBytes)
}
