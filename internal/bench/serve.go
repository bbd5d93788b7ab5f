package bench

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/hookrelay/hookrelay/internal/config"
)

// serveStartTimeout bounds how long a `hookrelay serve` child may take to
// migrate its database and listen.
const serveStartTimeout = time.Minute

// serveProcess is a running `hookrelay serve` child process.
type serveProcess struct {
	cmd    *exec.Cmd
	addr   string        // host:port its API listens on
	exited chan struct{} // closed once the process has ended and its output is read
	err    error         // how it ended; read after exited is closed
	tail   []string      // its last log lines, for error messages
}

// startServe starts `hookrelay serve` (command is the executable and any
// arguments before "serve") on databaseURL with exactly settings and serve's
// defaults for everything else, listening on a free loopback port with the
// API token token, and waits until it listens. The settings of serve found
// in this process's environment are not passed on.
func startServe(ctx context.Context, command []string, databaseURL string, settings config.Delivery, token string) (*serveProcess, error) {
	settings.AllowPrivate = true // the receivers are on loopback
	settings.EndpointURLs, settings.EndpointSecret = nil, ""
	env, err := config.Environ(settings)
	if err != nil {
		return nil, err
	}
	env = append(env,
		"DATABASE_URL="+databaseURL,
		"HOOKRELAY_LISTEN=127.0.0.1:0",
		"HOOKRELAY_API_TOKEN="+token,
		"HOOKRELAY_LOG_FORMAT=json", // read below for the listen address
		"HOOKRELAY_LOG_LEVEL=info",
	)
	inherited, err := environWithout(os.Environ(), config.Serve{})
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, command[0], append(command[1:], "serve")...)
	cmd.Env = append(inherited, env...)
	cmd.Stdout = io.Discard
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start hookrelay serve: %w", err)
	}
	p := &serveProcess{cmd: cmd, exited: make(chan struct{})}
	listening := make(chan string, 1)
	go p.readLog(stderr, listening)
	timer := time.NewTimer(serveStartTimeout)
	defer timer.Stop()
	select {
	case p.addr = <-listening:
		return p, nil
	case <-p.exited:
		return nil, fmt.Errorf("hookrelay serve ended before listening (%v): %s", p.err, strings.Join(p.tail, "\n"))
	case <-timer.C:
		_, _, _ = p.stop()
		return nil, fmt.Errorf("hookrelay serve did not listen within %s: %s", serveStartTimeout, strings.Join(p.tail, "\n"))
	}
}

// readLog reads the child's JSON log until it ends: it sends the listen
// address of the "hookrelay started" line to listening, and keeps the last
// lines for error messages.
func (p *serveProcess) readLog(stderr io.Reader, listening chan<- string) {
	scanner := bufio.NewScanner(stderr)
	scanner.Buffer(make([]byte, 64<<10), 1<<20)
	for scanner.Scan() {
		line := scanner.Text()
		if len(p.tail) == 20 {
			p.tail = p.tail[1:]
		}
		p.tail = append(p.tail, line)
		if listening != nil && strings.Contains(line, "hookrelay started") {
			var entry struct {
				Msg    string `json:"msg"`
				Listen string `json:"listen"`
			}
			if json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == "hookrelay started" && entry.Listen != "" {
				listening <- entry.Listen
				listening = nil
			}
		}
	}
	_, _ = io.Copy(io.Discard, stderr)
	p.err = p.cmd.Wait()
	close(p.exited)
}

// stop ends the process with SIGTERM, as an operator would, and returns the
// CPU time it used and its peak resident memory in MiB.
func (p *serveProcess) stop() (cpu time.Duration, peakRSSMiB float64, err error) {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(time.Minute):
		_ = p.cmd.Process.Kill()
		<-p.exited
		return 0, 0, errors.New("hookrelay serve did not stop within a minute of SIGTERM; killed")
	}
	if p.err != nil {
		err = fmt.Errorf("hookrelay serve: %w: %s", p.err, strings.Join(p.tail, "\n"))
	}
	if usage, ok := p.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		cpu = time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
		peakRSSMiB = float64(usage.Maxrss) / 1024 // KiB on Linux
	}
	return cpu, peakRSSMiB, err
}

// environWithout returns environ without the variables that the settings
// struct settings reads, so that a child gets only the settings it is given.
func environWithout(environ []string, settings any) ([]string, error) {
	names, err := config.Environ(settings)
	if err != nil {
		return nil, err
	}
	drop := make(map[string]bool, len(names))
	for _, kv := range names {
		name, _, _ := strings.Cut(kv, "=")
		drop[name] = true
	}
	kept := make([]string, 0, len(environ))
	for _, kv := range environ {
		if name, _, _ := strings.Cut(kv, "="); !drop[name] {
			kept = append(kept, kv)
		}
	}
	return kept, nil
}

// newToken returns a random API token for a child serve.
func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "bench-" + hex.EncodeToString(b[:])
}
