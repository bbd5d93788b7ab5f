package service

import (
	"context"
	"fmt"

	"github.com/hookrelay/hookrelay/internal/store"
)

// tenantID checks a tenant ID given to the service (an endpoint's, an
// event's, a filter's) under the store's rule (store.TenantFormat, read
// once by the store) and returns its stored form: "" for no tenant, a UUID
// made canonical on Ackify CE's database. A refusal is a *FieldError on
// FieldTenantID; a failure to read the rule is returned as it is.
func (s *Service) tenantID(ctx context.Context, id string) (string, error) {
	if id == "" {
		return "", nil
	}
	format, err := s.store.TenantFormat(ctx)
	if err != nil {
		return "", fmt.Errorf("tenant rule: %w", err)
	}
	stored, err := store.ValidateTenantID(id, format)
	if err != nil {
		return "", &FieldError{Field: FieldTenantID, Message: err.Error()}
	}
	return stored, nil
}

// TenantID is the stored form of the tenant ID id ("" for none), checked
// as endpoints and events are (see store.ValidateTenantID), for a door that
// filters a list by tenant: a *FieldError on FieldTenantID refuses it.
func (s *Service) TenantID(ctx context.Context, id string) (string, error) {
	return s.tenantID(ctx, id)
}
