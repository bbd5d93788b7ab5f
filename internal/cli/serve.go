package cli

import (
	"github.com/hookrelay/hookrelay/internal/app"
	"github.com/hookrelay/hookrelay/internal/config"
)

type serveCmd struct {
	config.Serve `embed:""`
}

func (c *serveCmd) Run(e Env) error {
	if err := c.Validate(); err != nil {
		return usageError{err}
	}
	return app.Serve(e.Ctx, c.Serve, app.NewLogger(e.Stderr, c.Log))
}
