package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
)

// Page sizes of the list routes.
const (
	defaultLimit = 50
	maxLimit     = 500
)

// pathID reads the positive integer {id} of the route.
func pathID(r *http.Request) (int64, error) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, badParam("id", "%q is not a positive integer", raw)
	}
	return id, nil
}

// query reads optional query parameters, remembering the first bad one.
type query struct {
	values url.Values
	err    error
}

func newQuery(r *http.Request) *query { return &query{values: r.URL.Query()} }

func (q *query) fail(err error) {
	if q.err == nil {
		q.err = err
	}
}

// text reads a text parameter, which must be valid UTF-8 without NUL
// (store.CheckText) like every stored text; "" when absent.
func (q *query) text(name string) string {
	raw := q.values.Get(name)
	if err := store.CheckText(raw); err != nil {
		q.fail(badParam(name, "%v", err))
		return ""
	}
	return raw
}

// tenant reads the tenant_id filter in its stored form (service.TenantID:
// checked, a UUID made canonical on Ackify CE's database); "" when absent.
// A bad one is a 400 on tenant_id.
func (q *query) tenant(ctx context.Context, s *service.Service) string {
	tenant, err := s.TenantID(ctx, q.text("tenant_id"))
	var fe *service.FieldError
	switch {
	case errors.As(err, &fe):
		q.fail(badParam("tenant_id", "%s", fe.Message))
	case err != nil:
		q.fail(err)
	}
	return tenant
}

// id reads a positive integer parameter; 0 when absent.
func (q *query) id(name string) int64 {
	raw := q.values.Get(name)
	if raw == "" {
		return 0
	}
	v, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || v <= 0 {
		q.fail(badParam(name, "%q is not a positive integer", raw))
		return 0
	}
	return v
}

// cursor reads the paging parameter "cursor" (the next_cursor of the
// previous page); alias, when not "", is an older name of it that is still
// accepted. Giving both is an error on "cursor".
func (q *query) cursor(alias string) int64 {
	if alias != "" && q.values.Has(alias) {
		if q.values.Has("cursor") {
			q.fail(badParam("cursor", "give cursor or %s (its deprecated name), not both", alias))
			return 0
		}
		return q.id(alias)
	}
	return q.id("cursor")
}

// limit reads the page size: defaultLimit when absent, 1 to maxLimit.
func (q *query) limit() int {
	raw := q.values.Get("limit")
	if raw == "" {
		return defaultLimit
	}
	v, err := strconv.Atoi(raw)
	if err != nil || v < 1 || v > maxLimit {
		q.fail(badParam("limit", "%q is not a number from 1 to %d", raw, maxLimit))
		return defaultLimit
	}
	return v
}

// bool reads true or false; nil when absent.
func (q *query) bool(name string) *bool {
	raw := q.values.Get(name)
	if raw == "" {
		return nil
	}
	v, err := strconv.ParseBool(raw)
	if err != nil {
		q.fail(badParam(name, "%q is not true or false", raw))
		return nil
	}
	return &v
}

// time reads an RFC 3339 time; nil when absent.
func (q *query) time(name string) *time.Time {
	raw := q.values.Get(name)
	if raw == "" {
		return nil
	}
	v, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		q.fail(badParam(name, "%q is not an RFC 3339 time such as 2026-01-02T15:04:05Z", raw))
		return nil
	}
	return &v
}

// pageOf cuts a list fetched with limit+1 rows down to limit, and returns the
// cursor of the next page: the ID of its last item, or "" when the extra row
// was not there.
func pageOf[T any](items []T, limit int, id func(T) int64) ([]T, string) {
	return pageBy(items, limit, func(v T) string { return strconv.FormatInt(id(v), 10) })
}

// pageBy is pageOf for a list whose cursor is not an ID: cursor encodes the
// position of the last item of a page.
func pageBy[T any](items []T, limit int, cursor func(T) string) ([]T, string) {
	items, more := store.CutPage(items, limit)
	if !more {
		return items, ""
	}
	return items, cursor(items[limit-1])
}
