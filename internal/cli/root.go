// Package cli is hookrelay's command line: the command tree, its flags and
// environment variables, and the Run method of each command. Commands only
// parse and wire; the work is done by the packages they call.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/alecthomas/kong"

	"github.com/hookrelay/hookrelay/internal/config"
	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/store/storeopen"
	"github.com/hookrelay/hookrelay/internal/tracing"
)

// root is the command tree; each command's Run does the work.
type root struct {
	Serve      serveCmd      `cmd:"" help:"Run the delivery workers and the HTTP API."`
	Migrate    migrateCmd    `cmd:"" help:"Apply the database migrations and exit."`
	Publish    publishCmd    `cmd:"" help:"Publish one event straight into the database (DATABASE_URL)."`
	Bench      benchCmd      `cmd:"" help:"Measure throughput and latency on loopback, then clean up."`
	Endpoints  endpointsCmd  `cmd:"" name:"webhooks" aliases:"endpoints" help:"Manage endpoints through the API (HOOKRELAY_URL)."`
	Events     eventsCmd     `cmd:"" help:"Publish and show events through the API (HOOKRELAY_URL)."`
	EventTypes eventTypesCmd `cmd:"" name:"event-types" help:"Manage the event-type catalog through the API (HOOKRELAY_URL)."`
	Deliveries deliveriesCmd `cmd:"" help:"Inspect, retry, cancel and replay deliveries through the API (HOOKRELAY_URL)."`
	Trigger    triggerCmd    `cmd:"" help:"Publish a sample event of a type through the API (HOOKRELAY_URL), to try a receiver."`
	Verify     verifyCmd     `cmd:"" help:"Check a captured request's signature and say exactly why it fails."`
	Listen     listenCmd     `cmd:"" help:"Run a local receiver that verifies and prints every request."`
	Version    versionCmd    `cmd:"" help:"Print the version."`

	VersionFlag kong.VersionFlag `name:"version" help:"Print the version and exit."`
}

// Env is what every command's Run receives: the context that ends on SIGINT
// or SIGTERM, and where to write.
type Env struct {
	Ctx    context.Context
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// Main parses args (without the program name), runs the command, and returns
// the process exit code: 0 on success, 1 when the command failed, 2 for a bad
// setting or argument (a DATABASE_URL that names no known store included).
// Without arguments it prints the usage, as --help does, and returns 0.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		args = []string{"--help"}
	}
	var tree root
	exitCode := -1
	parser, err := kong.New(&tree,
		kong.Name("hookrelay"),
		kong.Description("Signed, retried, durable webhook delivery."),
		kong.UsageOnError(),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { exitCode = code }),
		kong.Vars{"version": "hookrelay " + delivery.Version},
		config.Vars(), // the settings' defaults: the library's

		settingsFileOption(),
	)
	if err != nil {
		fmt.Fprintf(stderr, "hookrelay: %v\n", err)
		return 2
	}
	if err := checkArgs(args); err != nil {
		fmt.Fprintf(stderr, "hookrelay: %v\n", err)
		return 2
	}
	kctx, err := parser.Parse(args)
	if exitCode >= 0 {
		return exitCode // --help, or a usage error kong already printed
	}
	if err != nil {
		fmt.Fprintf(stderr, "hookrelay: %v\n", err)
		return 2
	}
	if err := kctx.Run(Env{Ctx: ctx, Stdin: os.Stdin, Stdout: stdout, Stderr: stderr}); err != nil {
		fmt.Fprintf(stderr, "hookrelay: %v\n", err)
		if errors.As(err, new(usageError)) || errors.Is(err, storeopen.ErrBadURL) || errors.Is(err, tracing.ErrSetting) {
			return 2
		}
		return 1
	}
	return 0
}

// usageError is a bad setting or argument: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }
