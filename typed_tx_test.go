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

// TestTransactionTypeIsCheckedAtCompileTime builds the small program of
// testdata/typedtx with the go command: as it is (right.go), passing each
// client the transaction of its driver, it compiles; with the build tag
// "wrong" (wrong.go), passing a pgx.Tx to a database/sql client and the
// like, it fails on every line marked "want" and only there.
func TestTransactionTypeIsCheckedAtCompileTime(t *testing.T) {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	build := func(tags string) (string, error) {
		cmd := exec.Command(goTool, "build", "-tags="+tags, "-o", os.DevNull, "./testdata/typedtx")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := build(""); err != nil {
		t.Fatalf("the right program does not compile: %v\n%s", err, out)
	}
	out, err := build("wrong")
	if err == nil {
		t.Fatal("the wrong program compiles: a client takes a transaction of another driver")
	}
	src, err := os.ReadFile("testdata/typedtx/wrong.go")
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
		at := fmt.Sprintf("wrong.go:%d:", i+1)
		if !strings.Contains(out, at) || !strings.Contains(out, want) {
			t.Errorf("line %d: want a compile error %q; the compiler said:\n%s", i+1, want, out)
		}
	}
	if got := strings.Count(out, "cannot use"); got != wanted {
		t.Errorf("%d compile errors, want %d (one per marked line):\n%s", got, wanted, out)
	}
}
