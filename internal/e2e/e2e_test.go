// Package e2e tests the hookrelay binary as an operator runs it: as a
// process, killed and restarted, against real stores and loopback receivers.
package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// binary is the hookrelay executable built once for the package's tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hookrelay-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "hookrelay")
	build := exec.Command("go", "build", "-race", "-o", binary, "github.com/hookrelay/hookrelay/cmd/hookrelay")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build hookrelay:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// countingReceiver is a loopback endpoint that counts arrivals per event ID.
// While it holds (hold), requests wait unanswered and uncounted until
// release or until their sender goes away.
type countingReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	arrivals map[string]int
	holding  atomic.Bool
	released chan struct{}
	held     atomic.Int64 // requests waiting now
}

func newCountingReceiver(t *testing.T, delay time.Duration) *countingReceiver {
	t.Helper()
	r := &countingReceiver{arrivals: map[string]int{}, released: make(chan struct{})}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_, _ = io.Copy(io.Discard, req.Body)
		if r.holding.Load() {
			r.held.Add(1)
			select {
			case <-r.released:
				r.held.Add(-1)
			case <-req.Context().Done(): // the sender gave up or died: not an arrival
				r.held.Add(-1)
				return
			}
		}
		time.Sleep(delay)
		r.mu.Lock()
		r.arrivals[req.Header.Get("X-Event-Id")]++
		r.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(func() { r.release(); r.Close() })
	return r
}

// hold makes the requests from now on wait until release.
func (r *countingReceiver) hold() { r.holding.Store(true) }

// release answers the waiting requests and stops holding new ones; it may be
// called more than once.
func (r *countingReceiver) release() {
	if r.holding.Swap(false) {
		close(r.released)
	}
}

func (r *countingReceiver) unique() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.arrivals)
}

func (r *countingReceiver) has(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.arrivals[id] > 0
}

// process is a running `hookrelay` command whose log goes to the test log.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has ended
	err    error         // its exit error, once exited is closed

	mu  sync.Mutex
	log []string // every line but the per-attempt ones
}

// logged reports whether a log line so far contains s.
func (p *process) logged(s string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, line := range p.log {
		if strings.Contains(line, s) {
			return true
		}
	}
	return false
}

func start(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start hookrelay %v: %v", args, err)
	}
	p := &process{cmd: cmd, exited: make(chan struct{})}
	go func() {
		scanner := bufio.NewScanner(stderr)
		scanner.Buffer(make([]byte, 64<<10), 1<<20)
		for scanner.Scan() {
			if line := scanner.Text(); !strings.Contains(line, `"msg":"delivery attempt"`) {
				t.Log(line)
				p.mu.Lock()
				p.log = append(p.log, line)
				p.mu.Unlock()
			}
		}
		p.err = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(p.kill)
	return p
}

// kill ends the process with SIGKILL, as a crash would.
func (p *process) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// stop ends the process with SIGTERM and returns its exit error.
func (p *process) stop(t *testing.T) error {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		return p.err
	case <-time.After(30 * time.Second):
		t.Fatal("hookrelay did not stop within 30s of SIGTERM")
		return nil
	}
}

// run runs a hookrelay command to completion and returns its output and exit code.
func run(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code = cmd.ProcessState.ExitCode()
	if err != nil && code < 0 {
		t.Fatalf("run hookrelay %v: %v", args, err)
	}
	return out.String(), errOut.String(), code
}
