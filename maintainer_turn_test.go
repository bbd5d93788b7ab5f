package hookrelay_test

import (
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/internal/testenv"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

// maintainerIn returns the maintainer field of the first line of the JSON
// log whose message is msg, and whether there is one.
func maintainerIn(log *testenv.Buffer, msg string) (string, bool) {
	for line := range strings.Lines(log.String()) {
		var rec struct{ Msg, Maintainer string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == msg {
			return rec.Maintainer, true
		}
	}
	return "", false
}

// TestStopSaysItStoppedMaintaining: a client that maintains the store says
// so when it starts, and again when Stop ends its turn, with the same
// maintainer name, so that the log shows which process maintains when.
func TestStopSaysItStoppedMaintaining(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		var log testenv.Buffer
		c := started(t, b, hookrelay.WithLogger(slog.New(slog.NewJSONHandler(&log, nil))))
		var name string
		testwait.Until(t, "the client to maintain the store", func() bool {
			var ok bool
			name, ok = maintainerIn(&log, "maintaining the store")
			return ok
		})
		stop(t, c)
		if got, ok := maintainerIn(&log, "stopped maintaining the store"); !ok || got != name || name == "" {
			t.Errorf("after Stop: stopped maintaining %q (logged %v); want the maintainer %q", got, ok, name)
		}
	})
}
