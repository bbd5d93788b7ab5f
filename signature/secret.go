package signature

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
)

// SecretPrefix marks a secret in the Standard Webhooks form "whsec_<base64 key>".
const SecretPrefix = "whsec_"

// secretBytes is the length of the random key of a generated secret.
const secretBytes = 24

// Key returns the HMAC key of a secret: for "whsec_<base64>" the decoded
// bytes, otherwise the secret's raw bytes.
func Key(secret string) ([]byte, error) {
	if secret == "" {
		return nil, ErrNoSecret
	}
	encoded, ok := strings.CutPrefix(secret, SecretPrefix)
	if !ok {
		return []byte(secret), nil
	}
	key, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("%w: the part after %q is not standard base64", ErrInvalidSecret, SecretPrefix)
	}
	return key, nil
}

// GenerateSecret returns a new random secret "whsec_" + base64(24 random bytes).
func GenerateSecret() (string, error) {
	key := make([]byte, secretBytes)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("generate secret: %w", err)
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(key), nil
}

// StandardSecret returns the "whsec_" form of a secret, the form that
// Standard Webhooks libraries take, naming the same HMAC key: a "whsec_"
// secret comes back in canonical base64, and a plain secret such as a
// WEBHOOK_SECRET becomes "whsec_" + base64(its bytes).
func StandardSecret(secret string) (string, error) {
	key, err := Key(secret)
	if err != nil {
		return "", err
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(key), nil
}
