package main

import (
	"testing"

	"github.com/hookrelay/hookrelay/examples/internal/exampletest"
)

func TestRun(t *testing.T) { exampletest.Run(t, run) }

func TestRunOnSQLite(t *testing.T) { exampletest.RunSQLite(t, run) }
