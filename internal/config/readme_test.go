package config

import (
	"flag"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay"
)

var update = flag.Bool("update", false, "rewrite the settings table of README.md from the struct tags")

// The settings table of README.md lies between these lines.
const (
	tableStart = "<!-- settings table: generated from internal/config's struct tags by `go test ./internal/config -run TestREADMESettingsTable -update` -->"
	tableEnd   = "<!-- end of the settings table -->"
)

// settingsTable is the README's settings table: one row per flag of serve
// with an environment variable, in the order of --help, with the defaults
// and help texts that --help shows (the same tags, the same kong.Vars); a
// negatable boolean shows as --[no-]name, as --help shows it.
func settingsTable(t *testing.T) string {
	t.Helper()
	parser, _ := serveParser(t)
	var b strings.Builder
	b.WriteString("| variable | flag | default | meaning |\n| --- | --- | --- | --- |\n")
	for _, f := range parser.Model.Flags {
		if len(f.Envs) == 0 {
			continue
		}
		def := f.Default
		if def == "" && f.Target.Kind() == reflect.Bool {
			def = "false"
		}
		if def != "" {
			def = "`" + def + "`"
		}
		name := f.Name
		switch neg := f.Tag.Negatable; {
		case f.IsBool() && neg == "_": // negatable:"" (kong's default)
			name = "[no-]" + name
		case f.IsBool() && neg != "":
			name += "/" + neg
		}
		fmt.Fprintf(&b, "| `%s` | `--%s` | %s | %s |\n", strings.Join(f.Envs, "`, `"), name, def, f.Help)
	}
	return b.String()
}

// TestREADMESettingsTable: the README's settings table is what the struct
// tags say, as `serve --help` shows them, so that neither drifts from the
// other or from the library's defaults (Vars).
func TestREADMESettingsTable(t *testing.T) {
	const path = "../../README.md"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	before, rest, ok1 := strings.Cut(readme, tableStart+"\n")
	table, after, ok2 := strings.Cut(rest, tableEnd)
	if !ok1 || !ok2 {
		t.Fatalf("README.md lacks the lines around the settings table:\n%s\n%s", tableStart, tableEnd)
	}
	want := settingsTable(t)
	if *update {
		if err := os.WriteFile(path, []byte(before+tableStart+"\n"+want+tableEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if table != want {
		t.Errorf("README.md's settings table is not the struct tags'; run go test ./internal/config -run TestREADMESettingsTable -update\ngot:\n%s\nwant:\n%s", table, want)
	}
}

// TestEveryLibrarySettingHasItsVariable: each field of hookrelay.Config
// that is a setting of serve is set by one row of settings, whose
// environment variable EnvError puts in its messages.
func TestEveryLibrarySettingHasItsVariable(t *testing.T) {
	notServe := map[string]bool{"HTTPClient": true, "Logger": true, "Metrics": true, "TracerProvider": true, "SkipMigrate": true}
	rows := map[string]string{}
	for _, st := range settings {
		rows[st.field] = st.env
	}
	for f := range reflect.TypeFor[hookrelay.Config]().Fields() {
		env, ok := rows[f.Name]
		if notServe[f.Name] {
			continue
		}
		if !ok {
			t.Errorf("hookrelay.Config.%s is no setting of serve", f.Name)
			continue
		}
		err := EnvError(fmt.Errorf("wrapped: %w", &hookrelay.ConfigError{Field: f.Name, Message: "is wrong"}))
		if err.Error() != env+": is wrong" {
			t.Errorf("EnvError for %s: %q, want %q", f.Name, err, env+": is wrong")
		}
	}
}
