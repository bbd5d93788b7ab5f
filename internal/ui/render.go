package ui

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
)

//go:embed templates
var templateFiles embed.FS

// pages holds one template set per page: the layout, the shared partials and
// the page itself.
type pages struct {
	byName map[string]*template.Template
}

// pageNames are the templates/<name>.html files that are whole pages.
var pageNames = []string{
	"login", "error", "overview",
	"endpoints", "endpoint", "endpoint_form", "endpoint_delete", "secret",
	"deliveries", "delivery", "events",
	"event_types", "event_type_form",
}

// mustParsePages parses every page, its links under urls; the templates are embedded, so a failure
// is a bug that the tests catch.
func mustParsePages(urls paths) *pages {
	p := &pages{byName: map[string]*template.Template{}}
	for _, name := range pageNames {
		t := template.New("layout.html").Funcs(urls.funcs())
		p.byName[name] = template.Must(t.ParseFS(templateFiles,
			"templates/layout.html", "templates/partials.html", "templates/"+name+".html"))
	}
	return p
}

// view is what every page template receives: the layout's data and the
// page's own in Data.
type view struct {
	Title string
	// Nav is the section of the navigation bar to highlight.
	Nav string
	// CSRF is the token that every POST form carries.
	CSRF string
	// Authorized shows the navigation: the visitor is signed in, or the
	// dashboard is open.
	Authorized bool
	// CanSignOut shows the sign-out button (never on an open dashboard).
	CanSignOut bool
	// Notice is a message about the change just made.
	Notice string
	// Brand is the portal's title, and BrandCSS the URL of its colour's
	// stylesheet ("" for the default colour); unset on the dashboard.
	Brand    string
	BrandCSS string
	Data     any
}

// render writes the page name with data; title names it in the browser.
// Pages are never cached: they may show a secret once.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	v := view{
		Title:  title,
		Nav:    section(s.paths.prefix, r.URL.Path),
		CSRF:   s.csrfOf(r),
		Notice: noticeText(r),
		Data:   data,
	}
	if s.portal != nil {
		_, v.Authorized = portalSessionOf(r)
		v.CanSignOut = v.Authorized
		v.Brand, v.BrandCSS = s.portal.brand(r)
	} else {
		sess := sessionOf(r)
		v.Authorized, v.CanSignOut = sess.signedIn, sess.signedIn && !s.sessions.open()
	}
	var buf bytes.Buffer
	if err := s.pages.byName[name].Execute(&buf, v); err != nil {
		s.logger.ErrorContext(r.Context(), "render dashboard page", slog.String("page", name), slog.Any("error", err))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w) // the browser went away; nothing left to tell it
}

// section is the first path segment after prefix: the navigation entry.
func section(prefix, path string) string {
	rest := strings.TrimPrefix(path, prefix)
	first, _, _ := strings.Cut(rest, "/")
	if first == "" {
		return "overview"
	}
	return first
}

// pageError is an error the visitor caused, answered with its status and
// shown as it is.
type pageError struct {
	status int
	msg    string
}

// Error returns the message shown to the visitor.
func (e *pageError) Error() string { return e.msg }

// Errors that handlers and the session layer return.
var (
	errNotFound  = &pageError{http.StatusNotFound, "there is no such page"}
	errForbidden = &pageError{http.StatusForbidden, "this form has expired or was sent from another site: go back, reload the page and try again"}
	errSignedOut = &pageError{http.StatusUnauthorized, "your session has ended: sign in again"}
	// errFormTooLarge answers a form past maxFormBytes.
	errFormTooLarge = &pageError{http.StatusRequestEntityTooLarge, "this form is larger than 1 MiB, the most the dashboard takes: shorten it, or send a large event with the API (POST /v1/events) or `hookrelay events publish --file`"}
)

// errorView is the data of the error page.
type errorView struct {
	Status  int
	Message string
}

// notFound turns an error matching store.ErrNotFound into a 404 page about
// what ("endpoint 4 not found"), and returns other errors as they are.
func notFound(err error, what string) error {
	if errors.Is(err, store.ErrNotFound) {
		return &pageError{http.StatusNotFound, what + " not found"}
	}
	return err
}

// renderError answers err with the error page and the status that fits, as
// the API answers the same error: the service's refusals (a field at fault,
// 422; data too large, 413; a row's state, 409) and a missing row (404) are
// shown; a database that cannot take requests is a 503 that says so, and
// logged as a warning (the operator has to act). Other errors are the
// server's fault: logged here, and not shown.
func (s *server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusInternalServerError, "Something went wrong on the server; the log has the details."
	var pageErr *pageError
	var fieldErr *service.FieldError
	var sizeErr *service.SizeError
	switch {
	case errors.As(err, &pageErr):
		status, msg = pageErr.status, sentence(pageErr.msg)
	case errors.As(err, &fieldErr):
		status, msg = http.StatusUnprocessableEntity, sentence(fieldErr.Error())
	case errors.As(err, &sizeErr):
		status, msg = http.StatusRequestEntityTooLarge, sentence(sizeErr.Error())
	case errors.Is(err, store.ErrNotFound):
		status, msg = http.StatusNotFound, "Not found."
	case errors.Is(err, store.ErrConflict):
		status, msg = http.StatusConflict, sentence(err.Error())
	case store.Unavailable(err):
		status, msg = http.StatusServiceUnavailable, sentence(store.UnavailableMessage)
		s.logger.WarnContext(r.Context(), "dashboard request refused: the database cannot take it",
			slog.String("method", r.Method), slog.String("path", loggedPath(r)), slog.Any("error", err))
	default:
		s.logger.ErrorContext(r.Context(), "dashboard request failed",
			slog.String("method", r.Method), slog.String("path", loggedPath(r)), slog.Any("error", err))
	}
	s.render(w, r, status, "error", http.StatusText(status), errorView{Status: status, Message: msg})
}

// loggedPath is the request's path as logs show it: a portal link's token
// is never written.
func loggedPath(r *http.Request) string {
	if strings.HasPrefix(r.URL.Path, PortalPrefix+"enter/") {
		return PortalPrefix + "enter/…"
	}
	return r.URL.Path
}

// sentence turns a message into a sentence: a capital first letter (ASCII)
// and a closing period.
func sentence(s string) string {
	if s == "" {
		return s
	}
	if 'a' <= s[0] && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
