package hookrelay_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestTransactionTypeIsCheckedAtCompileTime builds two small programs of
// testdata/typedtx with the go command: right, which passes each client the
// transaction of its driver, compiles; wrong, which passes a pgx.Tx to a
// database/sql client and the like, fails on every line marked "want" and
// only there.
func TestTransactionTypeIsCheckedAtCompileTime(t *testing.T) {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	build := func(dir string) (string, error) {
		cmd := exec.Command(goTool, "build", "-o", os.DevNull, "./testdata/typedtx/"+dir)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := build("right"); err != nil {
		t.Fatalf("the right program does not compile: %v\n%s", err, out)
	}
	out, err := build("wrong")
	if err == nil {
		t.Fatal("the wrong program compiles: a client takes a transaction of another driver")
	}
	src, err := os.ReadFile("testdata/typedtx/wrong/main.go")
	if err != nil {
		t.Fatal(err)
	}
	var wanted int
	for i, line := range strings.Split(string(src), "\n") {
		_, want, ok := strings.Cut(line, `// want "`)
		if !ok {
			continue
		}
		wanted++
		want = strings.ReplaceAll(strings.TrimSuffix(want, `"`), `\"`, `"`)
		at := fmt.Sprintf("main.go:%d:", i+1)
		if !strings.Contains(out, at) || !strings.Contains(out, want) {
			t.Errorf("line %d: want a compile error %q; the compiler said:\n%s", i+1, want, out)
		}
	}
	if got := strings.Count(out, "cannot use"); got != wanted {
		t.Errorf("%d compile errors, want %d (one per marked line):\n%s", got, wanted, out)
	}
}
