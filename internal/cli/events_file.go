package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/client"
	"github.com/hookrelay/hookrelay/internal/store"
)

// maxChunkBytes bounds the events of one batch request that
// `events publish --file` sends, well under the server's batch limit (64
// times its payload limit).
const maxChunkBytes = 2 << 20

// publishFileFlags are the flags of `events publish` that publish a file of
// events.
type publishFileFlags struct {
	File      string `name:"file" placeholder:"PATH" help:"Publish the events of a JSON-lines file ('-' for stdin): one object per line with the fields of POST /v1/events (type, data, id, priority, ordering_key, endpoint_ids, tenant_id), sent through POST /v1/events/batch."`
	BatchSize int    `name:"batch-size" default:"1000" help:"Events per batch request with --file (1 to 1000)."`
}

// fileLineResult is the result of one line of the file, as --json prints it.
type fileLineResult struct {
	Line int `json:"line"`
	wire.PublishBatchResult
}

// fileTally counts what happened to the lines of the file.
type fileTally struct {
	published, existing int
	refused             []int // line numbers
}

// publishFile publishes the events of c.File, BatchSize lines per request:
// it prints one result per line and a summary, and fails when a line was
// refused, is not a JSON object of the right fields (lines before it are
// sent, none after), or a request fails.
func (c *eventsPublishCmd) publishFile(e Env) error {
	if c.Type != "" || c.Data != "" || c.ID != "" || c.Priority != 0 || c.Key != "" || len(c.Endpoints) > 0 {
		return usageError{errors.New("--file takes every field from the file: drop --type, --data, --id, --priority, --ordering-key and --webhook")}
	}
	if c.BatchSize < 1 || c.BatchSize > store.MaxPublishMany {
		return usageError{fmt.Errorf("--batch-size: must be 1 to %d, got %d", store.MaxPublishMany, c.BatchSize)}
	}
	cl, err := c.client()
	if err != nil {
		return err
	}
	name, in := c.File, e.Stdin
	if c.File == "-" {
		name = "stdin"
	} else {
		f, err := os.Open(c.File)
		if err != nil {
			return usageError{fmt.Errorf("--file: %w", err)}
		}
		defer f.Close()
		in = f
	}
	var tally fileTally
	var batch wire.PublishBatchRequest
	var lines []int // the file's line of each event of batch
	size := 0
	send := func() error {
		if len(batch.Events) == 0 {
			return nil
		}
		err := c.sendChunk(e, cl, batch, lines, &tally)
		batch.Events, lines, size = batch.Events[:0], lines[:0], 0
		return err
	}
	r := bufio.NewReader(in)
	for n := 1; ; n++ {
		raw, readErr := r.ReadBytes('\n')
		if readErr != nil && !errors.Is(readErr, io.EOF) {
			return errors.Join(send(), fmt.Errorf("read %s: %w", name, readErr))
		}
		if line := bytes.TrimSpace(raw); len(line) > 0 {
			req, err := parseEventLine(line)
			if err != nil {
				return errors.Join(send(), fmt.Errorf("%s line %d: %w (the lines before it were sent, none after)", name, n, err))
			}
			batch.Events = append(batch.Events, req)
			lines = append(lines, n)
			size += len(line)
			if len(batch.Events) == c.BatchSize || size >= maxChunkBytes {
				if err := send(); err != nil {
					return err
				}
			}
		}
		if readErr != nil {
			break
		}
	}
	if err := send(); err != nil {
		return err
	}
	return c.summary(e, tally)
}

// parseEventLine reads one line of the file: exactly one JSON object with
// the fields of the body of POST /v1/events, in valid UTF-8.
func parseEventLine(line []byte) (wire.PublishRequest, error) {
	var req wire.PublishRequest
	if !utf8.Valid(line) {
		// encoding/json would replace the bad bytes with U+FFFD; every
		// other door refuses them.
		return req, errors.New("not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, fmt.Errorf("not an event object: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return req, errors.New("not an event object: more than one JSON value on the line")
	}
	return req, nil
}

// sendChunk publishes batch, whose events are lines of the file, and prints
// and counts their results.
func (c *eventsPublishCmd) sendChunk(e Env, cl *client.Client, batch wire.PublishBatchRequest, lines []int, tally *fileTally) error {
	res, err := cl.PublishEvents(e.Ctx, batch)
	if err != nil {
		err = c.explain(err)
		var apiErr *client.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == 413 {
			err = fmt.Errorf("%w; try a smaller --batch-size", err)
		}
		return fmt.Errorf("lines %d to %d: %w", lines[0], lines[len(lines)-1], err)
	}
	if len(res.Results) != len(lines) {
		return fmt.Errorf("lines %d to %d: the server answered %d results for %d events", lines[0], lines[len(lines)-1], len(res.Results), len(lines))
	}
	for i, r := range res.Results {
		switch {
		case r.Error != nil:
			tally.refused = append(tally.refused, lines[i])
		case r.Created:
			tally.published++
		default:
			tally.existing++
		}
		if c.JSON {
			if err := json.NewEncoder(e.Stdout).Encode(fileLineResult{Line: lines[i], PublishBatchResult: r}); err != nil {
				return err
			}
			continue
		}
		printLineResult(e.Stdout, lines[i], r)
	}
	return nil
}

// printLineResult prints the result of one line as text.
func printLineResult(w io.Writer, line int, r wire.PublishBatchResult) {
	switch {
	case r.Error != nil:
		fmt.Fprintf(w, "line %d: refused: %s (HTTP %d, %s)\n", line, r.Error.Message, r.Status, r.Error.Code)
	case r.Created:
		fmt.Fprintf(w, "line %d: event %s published: %s\n", line, r.EventID, plural(r.Deliveries, "delivery", "deliveries"))
	default:
		fmt.Fprintf(w, "line %d: event %s was already published; no new deliveries\n", line, r.EventID)
	}
}

// summary prints the counts (on stderr with --json, whose stdout holds only
// the results) and fails when a line was refused.
func (c *eventsPublishCmd) summary(e Env, tally fileTally) error {
	w := e.Stdout
	if c.JSON {
		w = e.Stderr
	}
	total := tally.published + tally.existing + len(tally.refused)
	fmt.Fprintf(w, "%d events: %d published, %d already published, %d refused\n", total, tally.published, tally.existing, len(tally.refused))
	if len(tally.refused) == 0 {
		return nil
	}
	var shown []string
	for _, line := range tally.refused[:min(len(tally.refused), 10)] {
		shown = append(shown, strconv.Itoa(line))
	}
	if len(tally.refused) > len(shown) {
		shown = append(shown, "…")
	}
	return fmt.Errorf("%d of %d events refused (lines %s)", len(tally.refused), total, strings.Join(shown, ", "))
}
