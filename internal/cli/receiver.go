package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alecthomas/kong"

	"github.com/hookrelay/hookrelay/internal/receiver"
)

type verifyCmd struct {
	Secret    []string  `required:"" env:"WEBHOOK_SECRET" help:"Secret to check against (whsec_… or plain); repeat the flag to try several."`
	Tolerance tolerance `default:"5m" placeholder:"DURATION|off" help:"Largest accepted distance between the request's timestamp and now, more than 0; off skips the check (for old captures)."`
	Request   string    `short:"r" type:"path" help:"A captured raw HTTP request (request line, headers, blank line, body); - reads standard input."`
	Headers   string    `type:"path" help:"A file of 'Name: value' header lines (use with --body)."`
	Body      string    `type:"path" help:"The raw request body, byte for byte (use with --headers); - reads standard input."`
}

func (c *verifyCmd) Run(e Env) error {
	opts := receiver.VerifyOptions{
		Secrets: c.Secret, Tolerance: c.Tolerance.duration(),
		RequestFile: c.Request, HeadersFile: c.Headers, BodyFile: c.Body, Stdin: e.Stdin,
	}
	if err := opts.Validate(); err != nil {
		return usageError{err}
	}
	if err := receiver.Verify(e.Ctx, opts, e.Stdout); err != nil {
		if errors.Is(err, receiver.ErrInvalid) {
			return fmt.Errorf("signature %w", err)
		}
		return err
	}
	return nil
}

type listenCmd struct {
	Port      int       `default:"9000" help:"TCP port to listen on (0 picks a free one)."`
	Host      string    `default:"127.0.0.1" help:"Address to listen on."`
	Secret    []string  `env:"WEBHOOK_SECRET" help:"Secret that requests must be signed with (whsec_… or plain); repeat to accept several. With one, a signed webhook.verification challenge is answered with its challenge (200, not forwarded). Without one, requests are printed unverified."`
	Status    int       `placeholder:"200" help:"Status to answer verified requests with (200 when not given); choose a 5xx to watch hookrelay retry. Not with --forward-to, where the app answers."`
	Tolerance tolerance `default:"5m" placeholder:"DURATION|off" help:"Largest accepted distance between a request's timestamp and now, more than 0; off skips the check."`
	ForwardTo string    `name:"forward-to" placeholder:"URL" help:"Forward each accepted request (method, path, headers, body) to this local app, e.g. http://localhost:3000/webhooks, and answer with the app's status and body (502 when it is down); --status is then unused."`
}

func (c *listenCmd) Run(e Env) error {
	opts := receiver.ListenOptions{Host: c.Host, Port: c.Port, Secrets: c.Secret, Status: c.Status, Tolerance: c.Tolerance.duration(), ForwardTo: c.ForwardTo}
	if c.Status != 0 && c.ForwardTo != "" {
		return usageError{errors.New("--status and --forward-to exclude each other: with --forward-to, the app's answer is the answer")}
	}
	if err := opts.Validate(); err != nil {
		return usageError{err}
	}
	return receiver.Listen(e.Ctx, opts, e.Stdout)
}

// tolerance is the --tolerance flag: a duration more than 0, or off (skip
// the timestamp check). 0 and negative durations are refused with a reason,
// also when written "--tolerance -1s" (which the parser would otherwise read
// as a short flag).
type tolerance struct {
	d   time.Duration
	off bool
}

// Decode reads the flag's value, hyphen or not.
func (t *tolerance) Decode(ctx *kong.DecodeContext) error {
	token := ctx.Scan.Pop()
	raw := strings.TrimSpace(token.String())
	if raw == "" || token.IsEOL() {
		return errors.New("give a duration such as 5m, or off to skip the timestamp check")
	}
	if strings.EqualFold(raw, "off") {
		*t = tolerance{off: true}
		return nil
	}
	d, err := time.ParseDuration(raw)
	switch {
	case err != nil:
		return fmt.Errorf("%q is not a duration (such as 30s or 5m) nor off", raw)
	case d == 0:
		return fmt.Errorf("0 would refuse every request not signed this very instant; give a duration such as 5m, or off to skip the timestamp check")
	case d < 0:
		return fmt.Errorf("%s: must be more than 0; give off to skip the timestamp check", raw)
	}
	*t = tolerance{d: d}
	return nil
}

// duration is the tolerance as receiver options take it: negative for off.
func (t tolerance) duration() time.Duration {
	if t.off {
		return -1
	}
	return t.d
}
