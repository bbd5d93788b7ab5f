package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/internal/receiver"
)

type verifyCmd struct {
	Secret    []string      `required:"" env:"WEBHOOK_SECRET" help:"Secret to check against (whsec_… or plain); repeat the flag to try several."`
	Tolerance time.Duration `default:"5m" help:"Largest accepted distance between the request's timestamp and now; a negative value skips the check (for old captures)."`
	Request   string        `short:"r" type:"path" help:"A captured raw HTTP request (request line, headers, blank line, body); - reads standard input."`
	Headers   string        `type:"path" help:"A file of 'Name: value' header lines (use with --body)."`
	Body      string        `type:"path" help:"The raw request body, byte for byte (use with --headers); - reads standard input."`
}

func (c *verifyCmd) Run(e Env) error {
	opts := receiver.VerifyOptions{
		Secrets: c.Secret, Tolerance: c.Tolerance,
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
	Port      int           `default:"9000" help:"TCP port to listen on (0 picks a free one)."`
	Host      string        `default:"127.0.0.1" help:"Address to listen on."`
	Secret    []string      `required:"" env:"WEBHOOK_SECRET" help:"Secret that requests must be signed with (whsec_… or plain); repeat to accept several."`
	Status    int           `default:"200" help:"Status to answer verified requests with; choose a 5xx to watch hookrelay retry."`
	Tolerance time.Duration `default:"5m" help:"Largest accepted distance between a request's timestamp and now."`
	ForwardTo string        `name:"forward-to" placeholder:"URL" help:"Forward each verified request (method, path, headers, body) to this local app, e.g. http://localhost:3000/webhooks, and answer with the app's status and body (502 when it is down); --status is then unused."`
}

func (c *listenCmd) Run(e Env) error {
	opts := receiver.ListenOptions{Host: c.Host, Port: c.Port, Secrets: c.Secret, Status: c.Status, Tolerance: c.Tolerance, ForwardTo: c.ForwardTo}
	if err := opts.Validate(); err != nil {
		return usageError{err}
	}
	return receiver.Listen(e.Ctx, opts, e.Stdout)
}
