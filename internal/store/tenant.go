package store

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MaxTenantIDLength is the longest accepted tenant ID, in bytes.
const MaxTenantIDLength = 64

// TenantFormat is the rule that a store's tenant IDs follow.
type TenantFormat int

// The tenant ID formats.
const (
	// TenantText accepts 1 to MaxTenantIDLength bytes of ASCII letters,
	// digits and ". _ : -" (ValidateTenantID): the rule of SQLite and of a
	// PostgreSQL database that hookrelay created.
	TenantText TenantFormat = iota
	// TenantUUID accepts UUIDs only, stored lower-case and hyphenated: the
	// rule of a PostgreSQL database shared with Ackify CE, whose tenant_id
	// columns are UUIDs compared by its row-level security policies with
	// current_tenant_id().
	TenantUUID
)

// ValidateTenantID checks a tenant ID under format f and returns it in its
// stored form: "" (no tenant) as it is; under TenantText 1 to
// MaxTenantIDLength bytes of [A-Za-z0-9._:-], case kept; under TenantUUID a
// UUID, made canonical (lower-case, hyphenated). The error says what is
// wrong, for a *FieldError on "tenant_id".
func ValidateTenantID(id string, f TenantFormat) (string, error) {
	if id == "" {
		return "", nil
	}
	if f == TenantUUID {
		canonical, ok := CanonicalEventID(id)
		if !ok {
			return "", fmt.Errorf("%s must be a UUID on this database (Ackify's tenant column)", strconv.Quote(id))
		}
		return canonical, nil
	}
	if len(id) > MaxTenantIDLength {
		return "", fmt.Errorf("is longer than %d bytes", MaxTenantIDLength)
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._:-", c) >= 0) {
			return "", fmt.Errorf("%s: only ASCII letters, digits and . _ : - are allowed", strconv.Quote(id))
		}
	}
	return id, nil
}

// TenantFieldError is ValidateTenantID's error as a *FieldError on
// "tenant_id", with the stored form of id.
func TenantFieldError(id string, f TenantFormat) (string, error) {
	id, err := ValidateTenantID(id, f)
	if err != nil {
		return "", &FieldError{Field: "tenant_id", Message: err.Error()}
	}
	return id, nil
}

// ForeignEndpointsError refuses a publish whose explicit targets (ids,
// ascending) belong to another tenant than the event's (tenant, "" for
// none): a *FieldError on "endpoint_ids" that names them. Nothing of the
// event is written.
func ForeignEndpointsError(ids []int64, tenant string) error {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = strconv.FormatInt(id, 10)
	}
	whose := "without tenant"
	if tenant != "" {
		whose = "of tenant " + strconv.Quote(tenant)
	}
	which := "endpoints " + strings.Join(names, ", ") + " belong"
	if len(names) == 1 {
		which = "endpoint " + names[0] + " belongs"
	}
	return &FieldError{Field: "endpoint_ids", Message: fmt.Sprintf(
		"%s to another tenant: an event %s is sent only to endpoints %s", which, whose, whose)}
}

// ErrTenantImmutable is the message of the *FieldError on "tenant_id" that
// refuses an edit changing an endpoint's tenant.
const ErrTenantImmutable = "an endpoint's tenant cannot change after its creation (delete it and create one in the other tenant)"

// ForeignEndpoints returns the IDs of ids, ascending and once each, whose
// tenant in tenants (by endpoint ID; "" for none) is not tenant: the
// explicit targets a publish of an event of tenant must refuse. IDs missing
// from tenants (no such endpoint) are not foreign: they get no delivery.
func ForeignEndpoints(ids []int64, tenants map[int64]string, tenant string) []int64 {
	var foreign []int64
	for _, id := range ids {
		if t, ok := tenants[id]; ok && t != tenant {
			foreign = append(foreign, id)
		}
	}
	slices.Sort(foreign)
	return slices.Compact(foreign)
}
