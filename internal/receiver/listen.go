package receiver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hookrelay/hookrelay/signature"
)

// DefaultHost is where Listen listens when ListenOptions.Host is empty:
// loopback only, as befits a test receiver.
const DefaultHost = "127.0.0.1"

// ListenOptions configure Listen, Serve and NewHandler.
type ListenOptions struct {
	// Host is the address to listen on (default DefaultHost).
	Host string
	// Port is the TCP port; 0 picks a free one, printed at start.
	Port int
	// Secrets are the candidate secrets ("whsec_…" or plain). With none,
	// requests are printed and answered Status without being verified, and
	// every report says so.
	Secrets []string
	// Tolerance bounds the timestamp's distance from now: 0 means five
	// minutes, a negative value skips the check.
	Tolerance time.Duration
	// Status is the answer to a verified request (default 200); choose a
	// 4xx or 5xx to watch hookrelay retry. Rejected requests get 400 or 401.
	Status int
	// MaxBodyBytes bounds a request body: 0 means 1 MiB, negative no limit.
	MaxBodyBytes int64
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// ForwardTo, when set, is an http(s) URL of a local app: each accepted
	// request (verified, or any request when there are no Secrets) goes
	// there with its method, path (joined to the URL's path), query, headers
	// and body, and the sender gets the app's status, headers
	// and body instead of Status; 502 when the app cannot be reached.
	// Rejected requests are answered by the receiver, not forwarded.
	ForwardTo string
}

// Validate reports options that cannot work.
func (o ListenOptions) Validate() error {
	var errs []error
	if len(o.Secrets) > 0 {
		errs = validateSecrets(o.Secrets)
	}
	if o.Port < 0 || o.Port > 65535 {
		errs = append(errs, fmt.Errorf("port %d: must be 0 to 65535", o.Port))
	}
	if o.Status != 0 && (o.Status < 200 || o.Status > 599) {
		errs = append(errs, fmt.Errorf("status %d: must be 200 to 599", o.Status))
	}
	if o.ForwardTo != "" {
		if _, err := parseForwardURL(o.ForwardTo); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// status is the answer to a verified request.
func (o ListenOptions) status() int {
	if o.Status == 0 {
		return http.StatusOK
	}
	return o.Status
}

// Listen listens on opts.Host:opts.Port and serves until ctx is done (see Serve).
func Listen(ctx context.Context, opts ListenOptions, out io.Writer) error {
	if err := opts.Validate(); err != nil {
		return err
	}
	host := opts.Host
	if host == "" {
		host = DefaultHost
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(opts.Port)))
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	return Serve(ctx, ln, opts, out)
}

// Serve prints where it listens and with which secrets (masked), then
// serves NewHandler on ln until ctx is done, and shuts down gracefully.
// It closes ln.
func Serve(ctx context.Context, ln net.Listener, opts ListenOptions, out io.Writer) error {
	if err := opts.Validate(); err != nil {
		ln.Close()
		return err
	}
	masked := make([]string, len(opts.Secrets))
	for i, s := range opts.Secrets {
		masked[i] = maskSecret(s)
	}
	out = &lockedWriter{w: out}
	verifying := "verifying with " + strings.Join(masked, ", ")
	if len(opts.Secrets) == 0 {
		verifying = "NOT verifying signatures (no --secret given: requests are printed unverified)"
	}
	answering := fmt.Sprintf("answering %d", opts.status())
	if opts.ForwardTo != "" {
		answering = "forwarding accepted requests to " + redactedURL(opts.ForwardTo)
	}
	fmt.Fprintf(out, "listening on http://%s, %s, %s\n", ln.Addr(), verifying, answering)

	srv := &http.Server{Handler: NewHandler(opts, out), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// NewHandler verifies every request, prints one block about it to out
// (method and path, answer, verdict, event id, type, pretty body), and
// answers opts.Status to a verified request, 400 or 401 with the reason to
// a rejected one. Without secrets it verifies nothing: each request is
// printed as unverified and answered opts.Status (413 over the body limit).
// With opts.ForwardTo, an accepted request is forwarded and answered with
// the app's answer (see ListenOptions.ForwardTo); an invalid ForwardTo
// answers 502 to each. A verified verification request (an endpoint's
// challenge: signature.ChallengeOf) is answered 200 with
// signature.ChallengeAnswer, whatever opts.Status, and not forwarded, so
// that an endpoint created with require_verification that points at the
// receiver is verified; without secrets, challenges are not answered.
// Blocks of concurrent requests never interleave.
func NewHandler(opts ListenOptions, out io.Writer) http.Handler {
	if _, ok := out.(*lockedWriter); !ok {
		out = &lockedWriter{w: out}
	}
	vopts := signature.VerifyOptions{
		Secrets: opts.Secrets, Tolerance: opts.Tolerance, Now: opts.Now, MaxBodyBytes: opts.MaxBodyBytes,
	}
	fwdClient := newForwardClient()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		unverified := len(opts.Secrets) == 0
		var v signature.Verified
		var body []byte
		var err error
		if unverified {
			body, err = readBody(w, r, opts.MaxBodyBytes)
		} else {
			v, body, err = signature.VerifyRequest(w, r, vopts)
		}
		status := opts.status()
		answer := []byte(fmt.Sprintf("ok, answering %d as asked\n", status))
		if unverified && err == nil {
			answer = []byte(fmt.Sprintf("received unverified (no secret given), answering %d as asked\n", status))
		}
		header := http.Header{"Content-Type": {"text/plain; charset=utf-8"}}
		var fwdLine string
		switch {
		case err != nil:
			status = signature.StatusCode(err)
			answer = []byte("invalid: " + err.Error() + "\n")
		case !unverified && isChallenge(r.Header, body):
			challenge, _ := signature.ChallengeOf(r.Header, body)
			status, answer = http.StatusOK, signature.ChallengeAnswer(challenge)
			header = http.Header{"Content-Type": {"application/json"}}
			fwdLine = "  answered   the verification challenge (the endpoint is verified once hookrelay reads it)\n"
		case opts.ForwardTo != "":
			status, header, answer, fwdLine = forwardAnswer(r, fwdClient, opts.ForwardTo, body)
		}
		var block strings.Builder
		fmt.Fprintf(&block, "%s %s %s -> %d\n", time.Now().Format(time.TimeOnly), r.Method, r.URL.RequestURI(), status)
		report{header: r.Header, body: body, verified: v, err: err, secrets: len(opts.Secrets), unverified: unverified}.write(&block, "  ")
		block.WriteString(fwdLine)
		fmt.Fprint(out, block.String())

		for k, vs := range header {
			w.Header()[k] = vs
		}
		w.WriteHeader(status)
		_, _ = w.Write(answer)
	})
}

// isChallenge reports whether a request is an endpoint's verification
// challenge (signature.ChallengeOf).
func isChallenge(h http.Header, body []byte) bool {
	_, ok := signature.ChallengeOf(h, body)
	return ok
}

// readBody reads r's body for a receiver without secrets, bounded as
// signature.VerifyRequest bounds it (maxBytes 0: DefaultMaxBodyBytes,
// negative: no limit); over the limit the error is signature.StatusCode's 413.
func readBody(w http.ResponseWriter, r *http.Request, maxBytes int64) ([]byte, error) {
	reader := r.Body
	switch {
	case maxBytes == 0:
		reader = http.MaxBytesReader(w, r.Body, signature.DefaultMaxBodyBytes)
	case maxBytes > 0:
		reader = http.MaxBytesReader(w, r.Body, maxBytes)
	}
	body, err := io.ReadAll(reader)
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	return body, nil
}

// lockedWriter serializes writes, so that each Write lands whole.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
