package postgres

import (
	"context"
	"fmt"

	"github.com/hookrelay/hookrelay/internal/store"
)

// tenantFormatUnknown is Store.tenantFormat until the format was read (then
// it holds the format + 1).
const tenantFormatUnknown = 0

// TenantFormat reports the rule of the database's tenant IDs: TenantUUID
// when webhooks.tenant_id is Ackify CE's UUID column (migration 014 keeps it
// on Ackify's database), TenantText otherwise. It is read from the catalog
// once, and then remembered; call it after Migrate.
func (s *Store) TenantFormat(ctx context.Context) (store.TenantFormat, error) {
	return s.tenantFormatIn(ctx, s.pool)
}

// tenantFormatIn is TenantFormat, read with q when it is not known yet: a
// transaction passes itself, so that it never waits for a second
// connection of the pool while it holds one.
func (s *Store) tenantFormatIn(ctx context.Context, q querier) (store.TenantFormat, error) {
	if v := s.tenantFormat.Load(); v != tenantFormatUnknown {
		return store.TenantFormat(v - 1), nil
	}
	f, err := readTenantFormat(ctx, q)
	if err != nil {
		return 0, err
	}
	s.tenantFormat.Store(int32(f) + 1)
	return f, nil
}

// readTenantFormat reads the type of webhooks.tenant_id from the catalog
// (pg_attribute, which every role may read).
func readTenantFormat(ctx context.Context, q querier) (store.TenantFormat, error) {
	const look = `
		SELECT coalesce((
			SELECT a.atttypid = 'uuid'::regtype
			FROM pg_catalog.pg_attribute a
			WHERE a.attrelid = to_regclass('webhooks') AND a.attname = 'tenant_id' AND NOT a.attisdropped), false)`
	var isUUID bool
	if err := q.QueryRow(ctx, look).Scan(&isUUID); err != nil {
		return 0, fmt.Errorf("read the tenant column's type: %w", err)
	}
	if isUUID {
		return store.TenantUUID, nil
	}
	return store.TenantText, nil
}

// storedTenant is the SQL expression of the tenant a write stores for the
// validated tenant ID given as the text parameter p (or a text column): p,
// or when p is empty the session's app.tenant_id (Ackify CE's setting, that
// its row-level security reads), as the column's type (migration 014).
func storedTenant(p string) string { return `hookrelay_tenant(` + p + `)` }

// tenantMatches is the SQL condition that the tenant column col is the
// validated tenant ID of the text parameter p, or that p is empty (no
// filter). On a TEXT column the cast is a no-op and col's index serves.
func tenantMatches(col, p string) string {
	return `(` + p + `::text = '' OR ` + col + `::text = ` + p + `)`
}

// endpointTenants returns the tenant ("" for none) of each endpoint of ids
// that exists, and the session's default tenant (storedTenant of nothing,
// "" when there is none), for checking explicit targets (store.ForeignEndpoints).
func endpointTenants(ctx context.Context, q querier, ids []int64) (map[int64]string, string, error) {
	const look = `
		SELECT w.id, coalesce(w.tenant_id::text, ''), coalesce(hookrelay_tenant(NULL)::text, '')
		FROM webhooks w
		WHERE w.id = ANY ($1::bigint[])`
	rows, err := q.Query(ctx, look, ids)
	if err != nil {
		return nil, "", fmt.Errorf("select the tenants of endpoints: %w", err)
	}
	defer rows.Close()
	tenants := make(map[int64]string, len(ids))
	session := ""
	for rows.Next() {
		var id int64
		var tenant string
		if err := rows.Scan(&id, &tenant, &session); err != nil {
			return nil, "", fmt.Errorf("select the tenants of endpoints: %w", err)
		}
		tenants[id] = tenant
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("select the tenants of endpoints: %w", err)
	}
	return tenants, session, nil
}

// normalize is ev.Normalize and, on a database whose tenant IDs are UUIDs,
// their check (store.ValidateTenantID); errors are *store.FieldError.
func normalize(ev *store.Event, format store.TenantFormat) error {
	if err := ev.Normalize(); err != nil {
		return err
	}
	tenant, err := store.TenantFieldError(ev.TenantID, format)
	ev.TenantID = tenant
	return err
}

// foreignTargets returns, for each of pubs (normalised events), the
// store.ForeignEndpointsError that refuses it when it names endpoints of
// another tenant than its event's (the session's app.tenant_id for an event
// without one, as the write would store), or nil; one SELECT serves them all.
func foreignTargets(ctx context.Context, q querier, pubs []store.Publication) ([]error, error) {
	refused := make([]error, len(pubs))
	var ids []int64
	for _, p := range pubs {
		ids = append(ids, p.Options.EndpointIDs...)
	}
	if len(ids) == 0 {
		return refused, nil
	}
	tenants, session, err := endpointTenants(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	for i, p := range pubs {
		tenant := p.Event.TenantID
		if tenant == "" {
			tenant = session
		}
		if foreign := store.ForeignEndpoints(p.Options.EndpointIDs, tenants, tenant); len(foreign) > 0 {
			refused[i] = store.ForeignEndpointsError(foreign, p.Event.TenantID)
		}
	}
	return refused, nil
}
