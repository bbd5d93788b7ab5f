package main

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// repoRoot is the module's root, seen from this package's folder.
const repoRoot = "../.."

// modulePath is the path `go install …/cmd/hookrelay@latest` needs the
// module to declare.
const modulePath = "github.com/hookrelay/hookrelay"

func readRepoFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestGoInstallPath checks what `go install
// github.com/hookrelay/hookrelay/cmd/hookrelay@latest` relies on: go.mod
// declares that module path and has no replace or exclude directive (go
// install refuses a module version with either), and the README documents
// that command.
func TestGoInstallPath(t *testing.T) {
	gomod := readRepoFile(t, "go.mod")
	var module string
	for line := range strings.Lines(gomod) {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		switch fields[0] {
		case "module":
			module = fields[1]
		case "replace", "exclude":
			t.Errorf("go.mod has a %s directive; `go install …@latest` refuses such a module: %q", fields[0], strings.TrimSpace(line))
		}
	}
	if module != modulePath {
		t.Errorf("go.mod declares module %q, want %q", module, modulePath)
	}
	install := "go install " + modulePath + "/cmd/hookrelay@latest"
	if !strings.Contains(readRepoFile(t, "README.md"), install) {
		t.Errorf("README.md does not show %q", install)
	}
}

// dockerBuildCommand returns the arguments of the Dockerfile's `RUN …go
// build…` line, split as a shell would split them (double quotes only).
func dockerBuildCommand(t *testing.T) []string {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(readRepoFile(t, "Dockerfile")))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "RUN "); ok && strings.Contains(rest, "go build") {
			return shellFields(t, rest)
		}
	}
	t.Fatal("Dockerfile has no RUN line with go build")
	return nil
}

// shellFields splits s at blanks outside double quotes and drops the quotes.
func shellFields(t *testing.T, s string) []string {
	t.Helper()
	var fields []string
	var cur strings.Builder
	inQuotes, inField := false, false
	for _, r := range s {
		switch {
		case r == '"':
			inQuotes, inField = !inQuotes, true
		case (r == ' ' || r == '\t') && !inQuotes:
			if inField {
				fields = append(fields, cur.String())
				cur.Reset()
				inField = false
			}
		case strings.ContainsRune(`'\$;&|`, r):
			t.Fatalf("the Dockerfile's build line uses %q, which this test does not interpret: %s", r, s)
		default:
			cur.WriteRune(r)
			inField = true
		}
	}
	if inField {
		fields = append(fields, cur.String())
	}
	return fields
}

// TestDockerfileBuildIsStatic runs the Dockerfile's build command (with its
// output moved to a temporary folder) and checks that the binary is static:
// no ELF interpreter, no shared library needed, so that it runs on a
// distroless "static" image. It also checks the Dockerfile's other promises:
// a non-root user, `serve` as entrypoint, the SQLite database in the /data
// volume.
func TestDockerfileBuildIsStatic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary; skipped with -short")
	}
	args := dockerBuildCommand(t)
	var env []string
	for len(args) > 0 && strings.Contains(args[0], "=") {
		env, args = append(env, args[0]), args[1:]
	}
	if !containsString(env, "CGO_ENABLED=0") {
		t.Fatalf("the Dockerfile builds without CGO_ENABLED=0: env %q", env)
	}
	if len(args) < 2 || args[0] != "go" || args[1] != "build" {
		t.Fatalf("the Dockerfile's build line is not `go build …`: %q", args)
	}
	out := filepath.Join(t.TempDir(), "hookrelay")
	for i, a := range args {
		if a == "-o" && i+1 < len(args) {
			args[i+1] = out
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%q: %v\n%s", args, err, b)
	}
	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary names an ELF interpreter: it is dynamically linked")
		}
	}
	if libs, err := f.ImportedLibraries(); err != nil || len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %q (%v)", libs, err)
	}
	version, err := exec.CommandContext(ctx, out, "--version").Output()
	if err != nil || !strings.HasPrefix(string(version), "hookrelay ") {
		t.Errorf("the built binary's --version: %q, %v", version, err)
	}

	dockerfile := readRepoFile(t, "Dockerfile")
	for _, want := range []string{
		"USER 65532:65532",
		`ENTRYPOINT ["hookrelay", "serve"]`,
		"VOLUME /data",
		"DATABASE_URL=/data/hookrelay.db",
		"HOOKRELAY_LISTEN=0.0.0.0:8080",
		"HOOKRELAY_API_TOKEN", // the comment that says a token of 32 characters is needed
	} {
		if !strings.Contains(dockerfile, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// compose is the part of compose.yaml the test checks.
type compose struct {
	Services map[string]struct {
		Image       string            `json:"image"`
		Build       any               `json:"build"`
		Environment map[string]string `json:"environment"`
		DependsOn   map[string]any    `json:"depends_on"`
		Ports       []string          `json:"ports"`
	} `json:"services"`
}

// TestComposeFile parses compose.yaml with python3's YAML parser (PyYAML),
// the one YAML parser at hand without adding a Go dependency, and checks
// that it runs hookrelay, built from this folder, on the PostgreSQL service
// it starts, with the token it needs.
func TestComposeFile(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(python, "-c", "import yaml").Run()
	}
	if err != nil {
		t.Skipf("python3 with PyYAML is needed to parse compose.yaml (apt-get install python3-yaml): %v", err)
	}
	cmd := exec.Command(python, "-c", "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)")
	cmd.Stdin = strings.NewReader(readRepoFile(t, "compose.yaml"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("compose.yaml is not valid YAML: %v\n%s", err, stderr.String())
	}
	var c compose
	if err := json.Unmarshal(out, &c); err != nil {
		t.Fatalf("compose.yaml has an unexpected shape: %v\n%s", err, out)
	}
	hr, ok := c.Services["hookrelay"]
	if !ok {
		t.Fatalf("compose.yaml has no hookrelay service: %s", out)
	}
	if hr.Build != "." {
		t.Errorf("hookrelay is not built from the Dockerfile here: build %v", hr.Build)
	}
	db, err := url.Parse(hr.Environment["DATABASE_URL"])
	if err != nil || db.Scheme != "postgres" {
		t.Fatalf("hookrelay's DATABASE_URL %q is not a postgres:// URL (%v)", hr.Environment["DATABASE_URL"], err)
	}
	pg, ok := c.Services[db.Hostname()]
	if !ok || !strings.HasPrefix(pg.Image, "postgres:") {
		t.Errorf("DATABASE_URL names host %q, which is not a postgres service of the file", db.Hostname())
	}
	if _, ok := hr.DependsOn[db.Hostname()]; !ok {
		t.Errorf("hookrelay does not depend on %q", db.Hostname())
	}
	if got := hr.Environment["HOOKRELAY_API_TOKEN"]; !strings.Contains(got, "${HOOKRELAY_API_TOKEN:?") {
		t.Errorf("HOOKRELAY_API_TOKEN = %q; want it required from the shell: ${HOOKRELAY_API_TOKEN:?…}", got)
	}
	if got := hr.Environment["HOOKRELAY_LISTEN"]; got != "0.0.0.0:8080" {
		t.Errorf("HOOKRELAY_LISTEN = %q; want 0.0.0.0:8080, the container's port", got)
	}
	if len(hr.Ports) != 1 || !strings.HasSuffix(hr.Ports[0], ":8080") {
		t.Errorf("hookrelay publishes ports %q; want one mapping to 8080", hr.Ports)
	}
	for _, name := range []string{"WEBHOOK_URLS", "WEBHOOK_SECRET"} {
		if _, ok := hr.Environment[name]; !ok {
			t.Errorf("compose.yaml does not pass %s on", name)
		}
	}
}
