package cli

import (
	"fmt"
	"strings"

	"github.com/hookrelay/hookrelay/internal/app"
	"github.com/hookrelay/hookrelay/internal/config"
	"github.com/hookrelay/hookrelay/internal/store/storeopen"
)

type migrateCmd struct {
	config.Database `embed:""`
}

// Run creates or migrates the database and says which store and database
// it used (password redacted) and which migrations it applied.
func (c *migrateCmd) Run(e Env) error {
	if err := c.Validate(); err != nil {
		return usageError{err}
	}
	st, applied, err := app.MigrateStore(e.Ctx, c.Database)
	if err != nil {
		return storeFailed(err)
	}
	defer st.Close()
	fmt.Fprintln(e.Stdout, "store:", storeopen.Describe(c.DatabaseURL))
	if len(applied) == 0 {
		fmt.Fprintln(e.Stdout, "migrations applied: none (the schema is current)")
		return nil
	}
	fmt.Fprintf(e.Stdout, "migrations applied: %s\n", strings.Join(applied, ", "))
	return nil
}
