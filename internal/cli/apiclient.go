package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hookrelay/hookrelay/internal/client"
)

// apiFlags are the flags of every command that drives a running server
// through its HTTP API.
type apiFlags struct {
	Server string `name:"server" env:"HOOKRELAY_URL" default:"http://127.0.0.1:8080" help:"Base URL of the hookrelay server."`
	Token  string `name:"api-token" env:"HOOKRELAY_API_TOKEN" help:"Bearer token of the API, when the server requires one."`
	JSON   bool   `name:"json" help:"Print the API's JSON answer instead of a table."`
}

// client returns an API client of the configured server.
func (f apiFlags) client() (*client.Client, error) {
	c, err := client.New(f.Server, f.Token, nil)
	if err != nil {
		return nil, usageError{fmt.Errorf("HOOKRELAY_URL: %w", err)}
	}
	return c, nil
}

// explain turns a client error into the message the user sees: the API's
// own words, or how the server could not be reached.
func (f apiFlags) explain(err error) error {
	var apiErr *client.Error
	switch {
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusUnauthorized:
		return fmt.Errorf("%w; set HOOKRELAY_API_TOKEN (or --api-token) to the server's token", err)
	case errors.As(err, &apiErr):
		return err
	}
	return fmt.Errorf("cannot reach hookrelay at %s (HOOKRELAY_URL): %w", f.Server, err)
}

// print writes v as indented JSON with --json, and as text otherwise.
func (f apiFlags) print(w io.Writer, v any, text func(w io.Writer)) error {
	if f.JSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(v)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	text(tw)
	return tw.Flush()
}

// row writes one tab-separated line of a table or a detail view.
func row(w io.Writer, cells ...string) {
	fmt.Fprintln(w, strings.Join(cells, "\t"))
}

// fmtTime formats a time for tables: UTC, to the second; "-" when absent.
func fmtTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// orDash shows "-" for an empty value.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// parseTimeFlag reads an RFC 3339 flag value; "" is the zero time.
func parseTimeFlag(name, value string) (time.Time, error) {
	if value == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		return time.Time{}, usageError{fmt.Errorf("--%s: %q is not an RFC 3339 time such as 2026-01-02T15:04:05Z", name, value)}
	}
	return t, nil
}

// moreHint tells on stderr how to get the next page of a list.
func moreHint(w io.Writer, flag, next string) {
	if next != "" {
		fmt.Fprintf(w, "more results: add --%s %s\n", flag, next)
	}
}

// callAPI runs one API call with the command's flags and prints its answer:
// as JSON with --json, through text otherwise.
func callAPI[T any](e Env, f apiFlags, call func(*client.Client) (T, error), text func(io.Writer, T)) error {
	c, err := f.client()
	if err != nil {
		return err
	}
	v, err := call(c)
	if err != nil {
		return f.explain(err)
	}
	return f.print(e.Stdout, v, func(w io.Writer) { text(w, v) })
}

// byID runs an API call on the one object that the command's ID names.
func byID[T any](e Env, f apiFlags, id int64, call func(*client.Client, context.Context, int64) (T, error), text func(io.Writer, T)) error {
	return callAPI(e, f, func(cl *client.Client) (T, error) { return call(cl, e.Ctx, id) }, text)
}

// byIDWith is byID for a call that takes one more argument, arg, after the
// ID (a reason, a secret).
func byIDWith[A, T any](e Env, f apiFlags, id int64, arg A, call func(*client.Client, context.Context, int64, A) (T, error), text func(io.Writer, T)) error {
	return callAPI(e, f, func(cl *client.Client) (T, error) { return call(cl, e.Ctx, id, arg) }, text)
}
