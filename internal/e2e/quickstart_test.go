package e2e

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// console is a running hookrelay command whose stdout and stderr are kept
// together, as a terminal shows them.
type console struct {
	cmd    *exec.Cmd
	exited chan struct{}

	mu   sync.Mutex
	text strings.Builder
}

// startConsole starts hookrelay args with env added to the environment; it
// is killed at the end of the test.
func startConsole(t *testing.T, env []string, args ...string) *console {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	r, w := io.Pipe()
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatalf("start hookrelay %v: %v", args, err)
	}
	c := &console{cmd: cmd, exited: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			c.mu.Lock()
			c.text.WriteString(sc.Text() + "\n")
			c.mu.Unlock()
		}
	}()
	go func() {
		_ = cmd.Wait()
		w.Close()
		close(c.exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-c.exited
		t.Logf("hookrelay %s:\n%s", strings.Join(args, " "), c.output())
	})
	return c
}

func (c *console) output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.text.String()
}

// waitFor waits until the output matches re and returns the first match's
// submatches.
func (c *console) waitFor(t *testing.T, what string, re *regexp.Regexp) []string {
	t.Helper()
	var m []string
	waitUntil(t, 30*time.Second, what, func() bool {
		m = re.FindStringSubmatch(c.output())
		return m != nil
	})
	return m
}

var (
	listeningOn = regexp.MustCompile(`listening on http://(127\.0\.0\.1:\d+)`)
	startedOn   = regexp.MustCompile(`msg="hookrelay started" listen=(127\.0\.0\.1:\d+)`)
	verifiedReq = regexp.MustCompile(`POST /hooks -> 200\n\s+result\s+valid \(`)
)

// quickStart returns the commands of the README's quick start, in order:
// the lines of the section's first sh block that are not comments, each as
// its environment assignments and its arguments after "hookrelay".
func quickStart(t *testing.T) (env [][]string, args [][]string) {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Quick start\n")
	_, block, ok2 := strings.Cut(section, "```sh\n")
	block, _, ok3 := strings.Cut(block, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("README.md has no sh block under ## Quick start")
	}
	for line := range strings.Lines(block) {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		words := shellWords(line)
		var assignments []string
		for len(words) > 0 && strings.Contains(words[0], "=") {
			assignments, words = append(assignments, words[0]), words[1:]
		}
		if len(words) == 0 || words[0] != "hookrelay" {
			t.Fatalf("the quick start's line %q does not run hookrelay", line)
		}
		env, args = append(env, assignments), append(args, words[1:])
	}
	if len(args) != 3 || args[0][0] != "listen" || args[1][0] != "serve" || args[2][0] != "publish" {
		t.Fatalf("the quick start is not listen, serve, publish: %q", args)
	}
	return env, args
}

// TestQuickStart runs the README's quick start as written: a `listen`
// receiver, a `serve` that sends every event to it (WEBHOOK_URLS), one
// `publish`; the receiver prints the request, verified. Only the ports
// change, to free ones, and the database goes to a temporary folder.
func TestQuickStart(t *testing.T) {
	env, args := quickStart(t)
	db := "DATABASE_URL=" + t.TempDir() + "/hookrelay.db"

	listenArgs := slices.Clone(args[0])
	port := slices.Index(listenArgs, "--port")
	if port < 0 {
		t.Fatalf("the quick start's listen names no --port: %q", listenArgs)
	}
	readmePort := listenArgs[port+1]
	listenArgs[port+1] = "0"
	listen := startConsole(t, env[0], listenArgs...)
	receiver := listen.waitFor(t, "listen to start", listeningOn)[1]
	_, freePort, _ := strings.Cut(receiver, ":")

	serveEnv := []string{db, "HOOKRELAY_LISTEN=127.0.0.1:0", "HOOKRELAY_LOG_FORMAT=text"}
	for _, kv := range env[1] {
		if strings.HasPrefix(kv, "WEBHOOK_URLS=") {
			kv = strings.Replace(kv, ":"+readmePort+"/", ":"+freePort+"/", 1)
		}
		serveEnv = append(serveEnv, kv)
	}
	startConsole(t, serveEnv, args[1]...).waitFor(t, "serve to start", startedOn)

	stdout, stderr, code := run(t, append(env[2], db), args[2]...)
	if code != 0 || !strings.Contains(stdout, `"deliveries":1`) {
		t.Fatalf("publish: exit %d, stdout %q, stderr %q; want one delivery", code, stdout, stderr)
	}
	listen.waitFor(t, "the receiver to print the verified request", verifiedReq)
	if out := listen.output(); !strings.Contains(out, "document.created") || !strings.Contains(out, "doc-1") {
		t.Errorf("the receiver's report lacks the event's type or data:\n%s", out)
	}
}

// bannerCommand returns the banner's line that starts with prefix, without
// its indentation.
func bannerCommand(t *testing.T, banner, prefix string) string {
	t.Helper()
	for line := range strings.Lines(banner) {
		if line = strings.TrimSpace(line); strings.HasPrefix(line, prefix) {
			return line
		}
	}
	t.Fatalf("the banner has no %q line:\n%s", prefix, banner)
	return ""
}

// shellWords splits a banner command as a shell would: at blanks, with
// single-quoted parts kept whole and unquoted.
func shellWords(line string) []string {
	var words []string
	for len(line) > 0 {
		line = strings.TrimLeft(line, " ")
		if strings.HasPrefix(line, "'") {
			end := strings.Index(line[1:], "'") + 1
			words = append(words, line[1:end])
			line = line[end+1:]
			continue
		}
		word, rest, _ := strings.Cut(line, " ")
		if word != "" {
			words = append(words, word)
		}
		line = rest
	}
	return words
}

// TestDevModeBanner runs `hookrelay serve --dev` and the commands its banner
// prints, in order, as a developer pastes them (the receiver on a free port
// rather than the banner's 9000): the receiver prints the delivery,
// verified. Without --dev the same endpoint is refused with a message that
// names --dev.
func TestDevModeBanner(t *testing.T) {
	db := "DATABASE_URL=" + t.TempDir() + "/hookrelay.db"

	plain := startConsole(t, []string{db, "HOOKRELAY_LISTEN=127.0.0.1:0", "HOOKRELAY_LOG_FORMAT=text"}, "serve")
	plainAddr := plain.waitFor(t, "serve to start", startedOn)[1]
	_, stderr, code := run(t, nil, "webhooks", "add", "--server", "http://"+plainAddr, "--url", "http://127.0.0.1:9/hooks")
	if code != 1 || !strings.Contains(stderr, "hookrelay serve --dev") || !strings.Contains(stderr, "HOOKRELAY_ALLOW_PRIVATE_TARGETS=true") {
		t.Errorf("a loopback endpoint without --dev: exit %d, stderr %q; want exit 1 naming --dev and HOOKRELAY_ALLOW_PRIVATE_TARGETS", code, stderr)
	}
	_ = plain.cmd.Process.Signal(syscall.SIGTERM)
	<-plain.exited

	serve := startConsole(t, []string{db, "HOOKRELAY_LISTEN=127.0.0.1:0"}, "serve", "--dev")
	serve.waitFor(t, "serve to start", startedOn) // text logs without being asked
	publishLine := regexp.MustCompile(`hookrelay events publish[^\n]*\n`)
	serve.waitFor(t, "the banner", publishLine)
	banner := serve.output()
	for _, want := range []string{"development mode", "loopback and private addresses", "retried after 1s, doubling up to 30s"} {
		if !strings.Contains(banner, want) {
			t.Errorf("the banner lacks %q:\n%s", want, banner)
		}
	}

	listenArgs := shellWords(bannerCommand(t, banner, "hookrelay listen"))
	for i, w := range listenArgs {
		if w == "9000" && listenArgs[i-1] == "--port" {
			listenArgs[i] = "0"
		}
	}
	listen := startConsole(t, nil, listenArgs[1:]...)
	receiver := listen.waitFor(t, "listen to start", listeningOn)[1]

	add := strings.Replace(bannerCommand(t, banner, "hookrelay webhooks add"), "127.0.0.1:9000", receiver, 1)
	if stdout, stderr, code := run(t, nil, shellWords(add)[1:]...); code != 0 {
		t.Fatalf("%s: exit %d\n%s%s", add, code, stdout, stderr)
	}
	publish := bannerCommand(t, banner, "hookrelay events publish")
	if stdout, stderr, code := run(t, nil, shellWords(publish)[1:]...); code != 0 || !strings.Contains(stdout, "published") {
		t.Fatalf("%s: exit %d\n%s%s", publish, code, stdout, stderr)
	}
	listen.waitFor(t, "the receiver to print the verified request", verifiedReq)
}
