package hookrelay_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

// logLines is a JSON log that tests read while a client writes it.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// maintainer returns the maintainer field of the first line whose message
// is msg, and whether there is one.
func (l *logLines) maintainer(msg string) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for line := range strings.Lines(l.buf.String()) {
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
		var log logLines
		c := started(t, b, hookrelay.WithLogger(slog.New(slog.NewJSONHandler(&log, nil))))
		var name string
		testwait.Until(t, "the client to maintain the store", func() bool {
			var ok bool
			name, ok = log.maintainer("maintaining the store")
			return ok
		})
		stop(t, c)
		if got, ok := log.maintainer("stopped maintaining the store"); !ok || got != name || name == "" {
			t.Errorf("after Stop: stopped maintaining %q (logged %v); want the maintainer %q", got, ok, name)
		}
	})
}
