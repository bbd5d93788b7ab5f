package ui

import (
	"crypto/hmac"
	"errors"
	"net/http"
	"net/url"
)

// csrfField is the name of the hidden field that carries the CSRF token in
// every POST form.
const csrfField = "csrf"

// crossOrigin refuses requests that browsers mark as cross-site (Sec-Fetch-Site)
// or whose Origin is another host.
var crossOrigin = http.NewCrossOriginProtection()

// csrfToken is the CSRF token of a session: a MAC of its ID, so that it
// needs no storage and changes with every session.
func (s *sessions) csrfToken(sess session) string {
	return s.sign("csrf", sess.id)
}

// checkPost checks a POST: same origin (Sec-Fetch-Site, Origin, and Referer
// when it is sent) and the session's CSRF token in the form (errForbidden),
// and a form of at most maxFormBytes (errFormTooLarge).
func (s *server) checkPost(r *http.Request, sess session) error {
	if crossOrigin.Check(r) != nil || !sameOriginReferer(r) {
		return errForbidden
	}
	return checkForm(r, s.sessions.csrfToken(sess))
}

// checkForm reads a POST's form, of at most maxFormBytes
// (errFormTooLarge), and checks that it carries the CSRF token want
// (errForbidden).
func checkForm(r *http.Request, want string) error {
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
			return errFormTooLarge
		}
		return errForbidden
	}
	given := r.PostForm.Get(csrfField)
	if given == "" || !hmac.Equal([]byte(given), []byte(want)) {
		return errForbidden
	}
	return nil
}

// sameOriginReferer accepts a request without a Referer (browsers may drop
// it) or with one from the host the request was sent to.
func sameOriginReferer(r *http.Request) bool {
	ref := r.Header.Get("Referer")
	if ref == "" {
		return true
	}
	u, err := url.Parse(ref)
	return err == nil && u.Host == r.Host
}
