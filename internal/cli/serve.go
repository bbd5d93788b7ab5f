package cli

import (
	"os"

	"github.com/alecthomas/kong"

	"github.com/hookrelay/hookrelay/internal/app"
	"github.com/hookrelay/hookrelay/internal/config"
)

type serveCmd struct {
	Config       kong.ConfigFlag `name:"config" placeholder:"FILE" help:"Settings file of NAME = value lines, NAME being the environment variables below (see the README); flags and the environment take precedence over it."`
	config.Serve `embed:""`
}

// Help is the text `serve --help` shows under the usage line (kong's
// HelpProvider): where the settings that are not flags come from.
func (c *serveCmd) Help() string {
	return "Tracing (OpenTelemetry) is configured by the standard OTEL_* environment variables, " +
		"such as OTEL_TRACES_EXPORTER=otlp and OTEL_EXPORTER_OTLP_ENDPOINT " +
		"(see the README, \"Tracing (OpenTelemetry)\"); it is off when none names an exporter or an endpoint."
}

func (c *serveCmd) Run(e Env, kctx *kong.Context) error {
	c.ApplyDev(explicitSettings(kctx))
	if err := c.Validate(); err != nil {
		return usageError{err}
	}
	return app.Serve(e.Ctx, c.Serve, app.NewLogger(e.Stderr, c.Log), e.Stderr)
}

// explicitSettings returns a function that reports whether the setting of an
// environment variable name was given explicitly: as a flag on the command
// line, by a resolver (a configuration file), or in the environment, rather
// than left to its default.
func explicitSettings(kctx *kong.Context) func(env string) bool {
	given := map[string]bool{}
	for _, p := range kctx.Path {
		if p.Flag != nil {
			for _, env := range p.Flag.Envs {
				given[env] = true
			}
		}
	}
	return func(env string) bool {
		if given[env] {
			return true
		}
		_, ok := os.LookupEnv(env)
		return ok
	}
}
