package ui

import (
	"context"
	"errors"

	"github.com/hookrelay/hookrelay/internal/service"
)

// tenantFilter checks the tenant filter of a list as typed (service.TenantID)
// and returns its stored form, or msg, a sentence for the page, when it
// cannot be used (the page then answers 400); err is a failure to read the
// store's rule.
func (s *server) tenantFilter(ctx context.Context, typed string) (tenant, msg string, err error) {
	tenant, err = s.service.TenantID(ctx, typed)
	var fe *service.FieldError
	if errors.As(err, &fe) {
		return "", sentence("tenant: " + fe.Message), nil
	}
	return tenant, "", err
}
