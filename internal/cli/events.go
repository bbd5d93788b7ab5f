package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/client"
)

// eventsCmd publishes, shows and lists events through the API.
type eventsCmd struct {
	Publish eventsPublishCmd `cmd:"" help:"Publish an event to every subscribed endpoint, or to chosen ones with --webhook (or --endpoint)."`
	Get     eventsGetCmd     `cmd:"" help:"Show an event and its deliveries."`
	List    eventsListCmd    `cmd:"" help:"List events, newest first, filtered by type and creation time."`
}

type eventsPublishCmd struct {
	apiFlags
	Type      string  `help:"Event type, e.g. document.created (required without --file)."`
	Data      string  `help:"Event data as a JSON document (default {})."`
	ID        string  `placeholder:"UUID" help:"Event ID (a UUID); publishing an existing ID creates nothing. Default: a new one."`
	Priority  int     `help:"Higher is delivered first."`
	Key       string  `name:"ordering-key" placeholder:"KEY" help:"Ordering key: each endpoint gets the events of one key one at a time, in publish order."`
	Endpoints []int64 `name:"webhook" aliases:"endpoint" placeholder:"ID" help:"Deliver only to these endpoint IDs; repeat or separate by commas."`
	Tenant    string  `placeholder:"TENANT" help:"Publish in this tenant: only its endpoints get the event (without: only endpoints without tenant)."`
	publishFileFlags
}

func (c *eventsPublishCmd) Run(e Env) error {
	if c.File != "" {
		return c.publishFile(e)
	}
	if c.Type == "" {
		return usageError{fmt.Errorf("--type is required (or --file to publish the events of a file)")}
	}
	req := wire.PublishRequest{ID: c.ID, Type: c.Type, Priority: c.Priority, OrderingKey: c.Key, EndpointIDs: c.Endpoints, TenantID: c.Tenant}
	if c.Data != "" {
		if !json.Valid([]byte(c.Data)) {
			return usageError{fmt.Errorf("--data: not a valid JSON document")}
		}
		req.Data = json.RawMessage(c.Data)
	}
	return callAPI(e, c.apiFlags, func(cl *client.Client) (wire.PublishResponse, error) {
		return cl.PublishEvent(e.Ctx, req)
	}, func(w io.Writer, res wire.PublishResponse) {
		if !res.Created {
			fmt.Fprintf(w, "event %s was already published; no new deliveries\n", res.EventID)
			return
		}
		fmt.Fprintf(w, "event %s published: %s\n", res.EventID, plural(res.Deliveries, "delivery", "deliveries"))
	})
}

type eventsGetCmd struct {
	apiFlags
	ID string `arg:"" help:"Event ID."`
}

func (c *eventsGetCmd) Run(e Env) error {
	return callAPI(e, c.apiFlags, func(cl *client.Client) (wire.EventDetail, error) {
		return cl.GetEvent(e.Ctx, c.ID)
	}, func(w io.Writer, ev wire.EventDetail) {
		row(w, "ID:", ev.ID)
		row(w, "Type:", ev.Type)
		row(w, "Priority:", strconv.Itoa(ev.Priority))
		if ev.OrderingKey != "" {
			row(w, "Ordering key:", ev.OrderingKey)
		}
		if ev.TenantID != "" {
			row(w, "Tenant:", ev.TenantID)
		}
		row(w, "Created:", fmtTime(&ev.CreatedAt))
		row(w, "Data:", string(ev.Data))
		fmt.Fprintln(w)
		printDeliveries(w, ev.Deliveries)
	})
}
