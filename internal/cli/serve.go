package cli

import (
	"github.com/alecthomas/kong"

	"github.com/hookrelay/hookrelay/internal/app"
	"github.com/hookrelay/hookrelay/internal/config"
)

type serveCmd struct {
	Config       kong.ConfigFlag `name:"config" placeholder:"FILE" help:"Settings file of NAME = value lines, NAME being the environment variables below (see the README); flags and the environment take precedence over it."`
	config.Serve `embed:""`
}

func (c *serveCmd) Run(e Env) error {
	if err := c.Validate(); err != nil {
		return usageError{err}
	}
	return app.Serve(e.Ctx, c.Serve, app.NewLogger(e.Stderr, c.Log))
}
