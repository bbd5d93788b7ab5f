package client

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/hookrelay/hookrelay/internal/api/wire"
)

// rawBody is a request body already encoded as JSON; do sends it as it is.
type rawBody []byte

// publishBody encodes req with its data written as given, byte for byte.
// encoding/json compacts a json.RawMessage (and whatever a MarshalJSON
// returns), which would drop the spaces inside the data that the API
// promises to deliver as published; so the other fields are encoded as
// usual and the data is spliced in after them.
func publishBody(req wire.PublishRequest) ([]byte, error) {
	data := bytes.TrimSpace(req.Data)
	if len(data) > 0 && !json.Valid(data) {
		return nil, fmt.Errorf("encode request: data is not valid JSON")
	}
	req.Data = nil
	b, err := encodeJSON(req)
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return b, nil
	}
	// b is an object with at least "type": close it with the data member.
	b = b[:len(b)-1]
	b = append(b, `,"data":`...)
	b = append(b, data...)
	return append(b, '}'), nil
}

// publishBatchBody encodes req as publishBody encodes each of its events.
func publishBatchBody(req wire.PublishBatchRequest) ([]byte, error) {
	b := []byte(`{"events":[`)
	for i, ev := range req.Events {
		one, err := publishBody(ev)
		if err != nil {
			return nil, fmt.Errorf("events[%d]: %w", i, err)
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, one...)
	}
	return append(b, "]}"...), nil
}

// encodeJSON encodes v without HTML escaping (so that "<", ">" and "&"
// stay as typed) and without the encoder's trailing newline.
func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode request: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
