package endpointrules

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/hookrelay/hookrelay/internal/store"
)

// MinSecretBytes is the shortest HMAC key a signing secret may give, whether
// from WEBHOOK_SECRET or the API (under the standard profile).
const MinSecretBytes = 16

// ValidateTargetURL checks that raw is an absolute http or https URL with a
// host and, when it names one, a port from 1 to 65535, with no credentials, the only kind of target hookrelay delivers to, in valid UTF-8 without
// NUL (store.CheckText).
func ValidateTargetURL(raw string) error {
	if err := store.CheckText(raw); err != nil {
		return err
	}
	u, err := url.Parse(raw)
	if err != nil {
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err // the url.Error would quote raw, credentials and all
		}
		return fmt.Errorf("%w: %v", ErrNotURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("scheme must be http or https")
	}
	if u.Host == "" || u.Hostname() == "" {
		return errors.New("host is missing")
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return errors.New("port must be between 1 and 65535")
		}
	}
	if u.User != nil {
		return errors.New("credentials in the URL are not allowed; use custom headers")
	}
	if u.Fragment != "" {
		return errors.New("fragment is not allowed")
	}
	return nil
}

// ErrNotURL is the error of ValidateTargetURL for text that does not parse
// as a URL; its wrapper adds the parser's detail, which may quote part of
// the text.
var ErrNotURL = errors.New("not a URL")
