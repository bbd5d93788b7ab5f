package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/client"
)

// sampleEvents are the example bodies trigger sends for the event types
// hookrelay and its Ackify example know (see examples/ackify); any other
// type gets genericSample. Keys are exact event types.
var sampleEvents = map[string]string{
	"document.created":   `{"id":"doc_example","title":"Example document","expected_signers":["alice@example.com"],"created_at":"2026-01-02T15:04:05Z","example":true}`,
	"document.completed": `{"id":"doc_example","title":"Example document","expected_signers":["alice@example.com"],"completed_at":"2026-01-02T15:04:05Z","example":true}`,
	"signature.created":  `{"document_id":"doc_example","signer":"alice@example.com","signed_at":"2026-01-02T15:04:05Z","example":true}`,
	"webhook.ping":       `{"webhook_id":1,"example":true}`, // the shape of POST /v1/webhooks/{id}/ping's
}

// genericSample is the body of a type without a sample.
const genericSample = `{"example":true}`

// sampleData returns the example body of eventType.
func sampleData(eventType string) json.RawMessage {
	if s, ok := sampleEvents[eventType]; ok {
		return json.RawMessage(s)
	}
	return json.RawMessage(genericSample)
}

// sampleTypes lists the types with a sample body, sorted.
func sampleTypes() string {
	types := make([]string, 0, len(sampleEvents))
	for t := range sampleEvents {
		types = append(types, t)
	}
	sort.Strings(types)
	return strings.Join(types, ", ")
}

// triggerCmd publishes a sample event of a type through the API, to try a
// receiver without writing a body.
type triggerCmd struct {
	apiFlags
	Type      string  `arg:"" help:"Event type to send, e.g. document.created; a type with an example in the event-type catalog sends it, other known types get a realistic body, others {\"example\":true}."`
	Endpoints []int64 `name:"webhook" aliases:"endpoint" placeholder:"ID" help:"Deliver only to these endpoint IDs; repeat or separate by commas. Without --tenant, the event takes the tenant of the first one."`
	Tenant    string  `name:"tenant" aliases:"tenant-id" placeholder:"TENANT" help:"Publish in this tenant: only its endpoints get the event (README, Tenants)."`
}

func (c *triggerCmd) Run(e Env) error {
	var catalogued bool
	return callAPI(e, c.apiFlags, func(cl *client.Client) (wire.PublishResponse, error) {
		data, err := catalogExample(e.Ctx, cl, c.Type)
		if err != nil {
			return wire.PublishResponse{}, fmt.Errorf("the catalog's example of %s: %w", c.Type, err)
		}
		if catalogued = data != nil; !catalogued {
			data = sampleData(c.Type)
		}
		tenant, err := c.tenant(e.Ctx, cl)
		if err != nil {
			return wire.PublishResponse{}, err
		}
		return cl.PublishEvent(e.Ctx, wire.PublishRequest{Type: c.Type, Data: data, EndpointIDs: c.Endpoints, TenantID: tenant})
	}, func(w io.Writer, res wire.PublishResponse) {
		fmt.Fprintf(w, "sample %s event %s published: %s\n", c.Type, res.EventID, plural(res.Deliveries, "delivery", "deliveries"))
		if catalogued {
			fmt.Fprintf(w, "its data is the example of %s in the event-type catalog\n", c.Type)
		} else if _, ok := sampleEvents[c.Type]; !ok {
			fmt.Fprintf(w, "no sample body for %s, so its data is %s (samples exist for %s)\n", c.Type, genericSample, sampleTypes())
		}
		if res.Deliveries == 0 {
			fmt.Fprintf(w, "no endpoint subscribes to %s: add one with `hookrelay webhooks add --url …`\n", c.Type)
		}
	})
}

// tenant is the tenant to publish in: --tenant, or else the tenant of the
// first --webhook endpoint (an event reaches only the endpoints of its own
// tenant), or none.
func (c *triggerCmd) tenant(ctx context.Context, cl *client.Client) (string, error) {
	if c.Tenant != "" || len(c.Endpoints) == 0 {
		return c.Tenant, nil
	}
	first, err := cl.GetEndpoint(ctx, c.Endpoints[0])
	if client.IsNotFound(err) {
		return "", nil // the publish says which endpoint does not exist
	}
	if err != nil {
		return "", fmt.Errorf("read endpoint %d: %w", c.Endpoints[0], err)
	}
	return first.TenantID, nil
}
