package store_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hookrelay/hookrelay/internal/store"
)

func TestPermissionDenied(t *testing.T) {
	rls := fmt.Errorf("create endpoint: %w", &pgconn.PgError{Code: "42501", Message: `new row violates row-level security policy for table "webhooks"`})
	if !store.PermissionDenied(rls) {
		t.Error("a row-level security refusal is not recognised")
	}
	for _, err := range []error{nil, errors.New("42501"), &pgconn.PgError{Code: "23505"}} {
		if store.PermissionDenied(err) {
			t.Errorf("%v taken for a permission refusal", err)
		}
	}
}
