package receiver

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/hookrelay/hookrelay/signature"
)

// ErrInvalid marks a request whose signature does not verify; the error
// also wraps the signature package's reason (signature.ErrMismatch, …).
var ErrInvalid = errors.New("invalid")

// VerifyOptions configure Verify. Give either RequestFile, or HeadersFile
// and BodyFile.
type VerifyOptions struct {
	// Secrets are the candidate secrets ("whsec_…" or plain); one must match.
	Secrets []string
	// Tolerance bounds the timestamp's distance from now: 0 means five
	// minutes, a negative value skips the check (for old captures).
	Tolerance time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// RequestFile is a captured raw HTTP request (request line, headers,
	// blank line, body), as http.ReadRequest reads it. Without Content-Length
	// or chunked encoding, the rest of the file is the body.
	RequestFile string
	// HeadersFile holds one "Name: value" header a line; blank lines and
	// lines starting with '#' are skipped.
	HeadersFile string
	// BodyFile holds the raw body, byte for byte as it was received.
	BodyFile string
	// Stdin is read when a file name is "-".
	Stdin io.Reader
}

// Validate reports options that cannot work, before any file is read.
func (o VerifyOptions) Validate() error {
	errs := validateSecrets(o.Secrets)
	switch {
	case o.RequestFile != "" && (o.HeadersFile != "" || o.BodyFile != ""):
		errs = append(errs, errors.New("give either a request file, or a headers file and a body file, not both"))
	case o.RequestFile == "" && (o.HeadersFile == "" || o.BodyFile == ""):
		errs = append(errs, errors.New("give a request file, or both a headers file and a body file"))
	case o.HeadersFile == "-" && o.BodyFile == "-":
		errs = append(errs, errors.New("the headers file and the body file cannot both be standard input"))
	}
	return errors.Join(errs...)
}

// validateSecrets reports a missing or malformed secret.
func validateSecrets(secrets []string) []error {
	var errs []error
	if len(secrets) == 0 {
		errs = append(errs, errors.New("give at least one secret"))
	}
	for i, s := range secrets {
		if _, err := signature.Key(s); err != nil {
			errs = append(errs, fmt.Errorf("secret %d: %w", i+1, err))
		}
	}
	return errs
}

// Verify checks one captured request against opts.Secrets. When it is
// valid, Verify writes a report (verdict, event id, type, signing time,
// pretty body) to out and returns nil. When it is not, Verify writes nothing
// and returns an error wrapping ErrInvalid and the signature package's
// reason, whose message says exactly why ("invalid: signature mismatch:
// webhook-signature: …"). Unreadable or malformed files give other errors.
func Verify(ctx context.Context, opts VerifyOptions, out io.Writer) error {
	if err := opts.Validate(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	header, body, err := opts.load()
	if err != nil {
		return err
	}
	v, err := signature.Verify(header, body, signature.VerifyOptions{
		Secrets: opts.Secrets, Tolerance: opts.Tolerance, Now: opts.Now,
	})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	report{header: header, body: body, verified: v, secrets: len(opts.Secrets)}.write(out, "")
	return nil
}

// load reads the headers and the body that opts name.
func (o VerifyOptions) load() (http.Header, []byte, error) {
	if o.RequestFile != "" {
		raw, err := o.read(o.RequestFile)
		if err != nil {
			return nil, nil, err
		}
		return parseRequest(o.RequestFile, raw)
	}
	raw, err := o.read(o.HeadersFile)
	if err != nil {
		return nil, nil, err
	}
	header, err := parseHeaders(o.HeadersFile, raw)
	if err != nil {
		return nil, nil, err
	}
	body, err := o.read(o.BodyFile)
	if err != nil {
		return nil, nil, err
	}
	return header, body, nil
}

// read returns the content of a file, or of Stdin for "-".
func (o VerifyOptions) read(name string) ([]byte, error) {
	if name != "-" {
		return os.ReadFile(name)
	}
	if o.Stdin == nil {
		return nil, errors.New("standard input: not available")
	}
	b, err := io.ReadAll(o.Stdin)
	if err != nil {
		return nil, fmt.Errorf("standard input: %w", err)
	}
	return b, nil
}

// parseRequest reads a captured raw HTTP request.
func parseRequest(name string, raw []byte) (http.Header, []byte, error) {
	r := bufio.NewReader(bytes.NewReader(raw))
	req, err := http.ReadRequest(r)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: not a raw HTTP request: %w", name, err)
	}
	defer req.Body.Close()
	framed := req.Header.Get("Content-Length") != "" || len(req.TransferEncoding) > 0
	if !framed {
		rest, _ := io.ReadAll(r) // reading from memory cannot fail
		return req.Header, rest, nil
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: body: %w", name, err)
	}
	return req.Header, body, nil
}

// parseHeaders reads "Name: value" lines.
func parseHeaders(name string, raw []byte) (http.Header, error) {
	h := http.Header{}
	for i, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		key = strings.TrimSpace(key)
		if !ok || key == "" || strings.ContainsAny(key, " \t") {
			return nil, fmt.Errorf("%s:%d: %q is not a \"Name: value\" header line", name, i+1, line)
		}
		h.Add(key, strings.TrimSpace(value))
	}
	if len(h) == 0 {
		return nil, fmt.Errorf("%s: no header lines", name)
	}
	return h, nil
}
