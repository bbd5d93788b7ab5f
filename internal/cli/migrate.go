package cli

import (
	"fmt"

	"github.com/hookrelay/hookrelay/internal/app"
	"github.com/hookrelay/hookrelay/internal/config"
)

type migrateCmd struct {
	config.Database `embed:""`
}

func (c *migrateCmd) Run(e Env) error {
	if err := c.Validate(); err != nil {
		return usageError{err}
	}
	st, err := app.OpenStore(e.Ctx, c.Database)
	if err != nil {
		return storeFailed(err)
	}
	defer st.Close()
	fmt.Fprintln(e.Stdout, "migrations applied")
	return nil
}
