// Command hookrelay sends signed webhooks reliably: `hookrelay serve` runs the
// delivery workers and the HTTP API; the other commands manage its database,
// drive its API, and help receivers verify signatures. Run `hookrelay --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/hookrelay/hookrelay/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
