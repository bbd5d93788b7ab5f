package cli

import (
	"fmt"

	"github.com/hookrelay/hookrelay/internal/delivery"
)

type versionCmd struct{}

func (versionCmd) Run(e Env) error {
	_, err := fmt.Fprintln(e.Stdout, "hookrelay", delivery.Version)
	return err
}
