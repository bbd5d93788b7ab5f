package cli

import (
	"fmt"
	"io"
	"os"
	"slices"
	"sort"

	"github.com/alecthomas/kong"

	"github.com/hookrelay/hookrelay/internal/config"
)

// settingsFileOption lets the commands with a --config flag (kong.ConfigFlag)
// read a settings file (config.ParseFile).
func settingsFileOption() kong.Option { return kong.Configuration(loadSettingsFile) }

// loadSettingsFile is the kong.ConfigurationLoader of --config.
func loadSettingsFile(r io.Reader) (kong.Resolver, error) {
	name := "settings file"
	if f, ok := r.(*os.File); ok {
		name = f.Name()
	}
	values, err := config.ParseFile(r)
	if err != nil {
		return nil, usageError{fmt.Errorf("--config %s: %w", name, err)}
	}
	return settingsFile{name: name, values: values}, nil
}

// settingsFile resolves a flag from a settings file by the flag's
// environment variable names, below the environment: a variable that is
// set, even empty, wins over the file, so that the precedence is flag >
// environment > file > default.
type settingsFile struct {
	name   string
	values map[string]string
}

// Validate refuses a name that is not an environment variable of the
// commands that take --config, so that a typo does not go unnoticed.
func (s settingsFile) Validate(app *kong.Application) error {
	known := map[string]bool{}
	var walk func(n *kong.Node)
	walk = func(n *kong.Node) {
		if slices.ContainsFunc(n.Flags, func(f *kong.Flag) bool { return f.Name == "config" }) {
			for _, group := range n.AllFlags(false) {
				for _, f := range group {
					for _, env := range f.Envs {
						known[env] = true
					}
				}
			}
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(app.Node)
	var unknown []string
	for name := range s.values {
		if !known[name] {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	return usageError{fmt.Errorf("--config %s: %v: not settings of this command (see `hookrelay serve --help` for the names)", s.name, unknown)}
}

// Resolve returns the file's value of flag, or nil when the file has none
// or the environment sets the flag's variable.
func (s settingsFile) Resolve(_ *kong.Context, _ *kong.Path, flag *kong.Flag) (any, error) {
	for _, env := range flag.Envs {
		if _, set := os.LookupEnv(env); set {
			return nil, nil
		}
	}
	for _, env := range flag.Envs {
		if v, ok := s.values[env]; ok {
			return v, nil
		}
	}
	return nil, nil
}
