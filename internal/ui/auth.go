package ui

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hookrelay/hookrelay/internal/authlimit"
)

// Session cookie settings.
const (
	sessionCookie = "hookrelay_session"
	sessionTTL    = 12 * time.Hour
	// sessionKeyLabel derives the session key from the API token, so that
	// the cookie never holds the token and changing the token signs everyone out.
	sessionKeyLabel = "hookrelay dashboard session v1"
)

// session is one browser's signed session. A session that is not signed in
// still carries a CSRF token, for the login form.
type session struct {
	id       string
	expires  time.Time
	signedIn bool
}

// maxLiveSessions bounds the signed-in sessions remembered; past it, the one
// that expires first is ended.
const maxLiveSessions = 10_000

// sessions signs and checks session cookies, and remembers which signed-in
// sessions are live: a signed cookie is not enough, its session must not have
// been ended by a sign-out. The register lives in the process's memory, so a
// restart (or a token change, which changes the signing key too) signs
// everyone out.
type sessions struct {
	key []byte
	// token is the SHA-256 of the API token; nil when the dashboard is open.
	token []byte

	mu sync.Mutex
	// live maps the ID of each signed-in session to when it expires.
	live map[string]time.Time
}

// newSessions derives the signing key from token, or draws a random one when
// token is empty (then every session is signed in and sessions last as long
// as the process).
func newSessions(token string) *sessions {
	if token == "" {
		return &sessions{key: randomBytes(32), live: map[string]time.Time{}}
	}
	mac := hmac.New(sha256.New, []byte(token))
	mac.Write([]byte(sessionKeyLabel))
	sum := sha256.Sum256([]byte(token))
	return &sessions{key: mac.Sum(nil), token: sum[:], live: map[string]time.Time{}}
}

// open reports whether the dashboard needs no sign-in.
func (s *sessions) open() bool { return s.token == nil }

// checkToken compares a submitted token with the API token in constant time.
func (s *sessions) checkToken(given string) bool {
	sum := sha256.Sum256([]byte(given))
	return hmac.Equal(sum[:], s.token)
}

// start returns a new session: signed in when asked, or always when open. A
// signed-in session is registered as live until it expires or ends.
func (s *sessions) start(signedIn bool, now time.Time) session {
	sess := session{
		id:       base64.RawURLEncoding.EncodeToString(randomBytes(18)),
		expires:  now.Add(sessionTTL),
		signedIn: signedIn || s.open(),
	}
	if sess.signedIn && !s.open() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.prune(now)
		s.live[sess.id] = sess.expires
	}
	return sess
}

// end revokes a session: its cookie, even copied, signs no one in again.
func (s *sessions) end(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.live, id)
}

// isLive reports whether the signed-in session id has neither expired nor
// ended.
func (s *sessions) isLive(id string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	expires, ok := s.live[id]
	return ok && now.Before(expires)
}

// prune forgets expired sessions and, when the register is full, ends the
// one that expires first. s.mu is held.
func (s *sessions) prune(now time.Time) {
	if len(s.live) < maxLiveSessions {
		return
	}
	first, firstID := time.Time{}, ""
	for id, expires := range s.live {
		if !now.Before(expires) {
			delete(s.live, id)
			continue
		}
		if firstID == "" || expires.Before(first) {
			first, firstID = expires, id
		}
	}
	if len(s.live) >= maxLiveSessions {
		delete(s.live, firstID)
	}
}

// encode is the cookie value of sess: "id.expires.flag.mac".
func (s *sessions) encode(sess session) string {
	flag := "0"
	if sess.signedIn {
		flag = "1"
	}
	payload := sess.id + "." + strconv.FormatInt(sess.expires.Unix(), 10) + "." + flag
	return payload + "." + s.sign("session", payload)
}

// decode checks a cookie value and returns its session when the signature
// holds, it has not expired and, signed in, it has not ended (isLive).
func (s *sessions) decode(value string, now time.Time) (session, bool) {
	payload, mac, ok := cutLast(value, ".")
	if !ok || !hmac.Equal([]byte(mac), []byte(s.sign("session", payload))) {
		return session{}, false
	}
	parts := strings.Split(payload, ".")
	if len(parts) != 3 {
		return session{}, false
	}
	unix, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || !now.Before(time.Unix(unix, 0)) {
		return session{}, false
	}
	sess := session{id: parts[0], expires: time.Unix(unix, 0), signedIn: parts[2] == "1"}
	if sess.signedIn && !s.open() && !s.isLive(sess.id, now) {
		return session{}, false
	}
	return sess, true
}

// sign is the base64 HMAC of msg under the session key, in a named domain.
func (s *sessions) sign(domain, msg string) string {
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte(domain + "\x00" + msg))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// cookie is the Set-Cookie of sess; a zero session clears the cookie.
func (s *sessions) cookie(r *http.Request, sess session) *http.Cookie {
	c := &http.Cookie{
		Name:     sessionCookie,
		Path:     strings.TrimSuffix(Prefix, "/"),
		HttpOnly: true,
		Secure:   r.TLS != nil,
		SameSite: http.SameSiteStrictMode,
	}
	if sess.id == "" {
		c.MaxAge = -1
		return c
	}
	c.Value = s.encode(sess)
	c.Expires = sess.expires
	return c
}

// sessionKey is the context key of the request's session.
type sessionKey struct{}

// sessionOf returns the session that withSession attached to r.
func sessionOf(r *http.Request) session {
	sess, _ := r.Context().Value(sessionKey{}).(session)
	return sess
}

// withSession attaches the browser's session to the request (starting one
// when there is none), checks every POST against cross-site forgery, and
// sends visitors who are not signed in to the login page.
func (s *server) withSession(h handlerFunc, who access) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		var sess session
		ok := false
		if c, err := r.Cookie(sessionCookie); err == nil {
			sess, ok = s.sessions.decode(c.Value, now)
		}
		if !ok {
			sess = s.sessions.start(false, now)
			http.SetCookie(w, s.sessions.cookie(r, sess))
		}
		r = r.WithContext(context.WithValue(r.Context(), sessionKey{}, sess))
		var err, postErr error
		if r.Method == http.MethodPost {
			postErr = s.checkPost(r, sess)
		}
		switch {
		case postErr != nil:
			err = postErr
		case r.Method == http.MethodPost && formText(r.PostForm) != nil:
			err = formText(r.PostForm)
		case who == signedIn && !sess.signedIn && r.Method == http.MethodGet:
			http.Redirect(w, r, Prefix+"login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		case who == signedIn && !sess.signedIn:
			err = errSignedOut
		default:
			err = h(w, r)
		}
		if err != nil {
			s.renderError(w, r, err)
		}
	})
}

// loginView is the data of the login page.
type loginView struct {
	Next  string
	Error string
}

// loginPage handles GET /ui/login.
func (s *server) loginPage(w http.ResponseWriter, r *http.Request) error {
	next := safeNext(r.URL.Query().Get("next"))
	if sessionOf(r).signedIn {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	s.render(w, r, http.StatusOK, "login", "Sign in", loginView{Next: next})
	return nil
}

// login handles POST /ui/login: the right token starts a new, signed-in
// session (a new ID, so that a planted cookie is worth nothing). An address
// that failed too often is refused, right token or not, until its window ends.
func (s *server) login(w http.ResponseWriter, r *http.Request) error {
	next := safeNext(r.PostFormValue("next"))
	if s.sessions.open() {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	addr := authlimit.ClientKey(r)
	wait, last := s.signIns.Attempt(addr)
	if wait > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(ceilDiv(wait, time.Second), 10))
		return &pageError{http.StatusTooManyRequests, "too many failed sign-ins; try again in " + minutes(wait)}
	}
	if !s.sessions.checkToken(r.PostFormValue("token")) {
		s.logger.WarnContext(r.Context(), "dashboard sign-in refused", slog.String("remote_addr", r.RemoteAddr))
		if last {
			s.logger.WarnContext(r.Context(), "dashboard sign-ins throttled", slog.String("remote_addr", r.RemoteAddr))
		}
		s.render(w, r, http.StatusUnauthorized, "login", "Sign in", loginView{Next: next, Error: "That is not the API token."})
		return nil
	}
	s.signIns.Succeed(addr)
	http.SetCookie(w, s.sessions.cookie(r, s.sessions.start(true, time.Now())))
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// logout handles POST /ui/logout: the session ends on the server, so that a
// copy of its cookie signs no one in.
func (s *server) logout(w http.ResponseWriter, r *http.Request) error {
	s.sessions.end(sessionOf(r).id)
	http.SetCookie(w, s.sessions.cookie(r, session{}))
	http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
	return nil
}

// safeNext keeps a post-login destination only when it is a dashboard path.
func safeNext(next string) string {
	if strings.HasPrefix(next, Prefix) && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return Prefix
}

// randomBytes returns n bytes from the system's secure random source.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return b
}

// cutLast slices s around the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}
