package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/client"
)

// deliveriesCmd inspects, retries, cancels and replays deliveries through the API.
type deliveriesCmd struct {
	List   deliveriesListCmd   `cmd:"" help:"List deliveries, newest first."`
	Get    deliveriesGetCmd    `cmd:"" help:"Show a delivery with its request, response and attempts."`
	Retry  deliveriesRetryCmd  `cmd:"" help:"Make a failed, cancelled or pending delivery due now."`
	Cancel deliveriesCancelCmd `cmd:"" help:"Cancel a pending or processing delivery."`
	Replay deliveriesReplayCmd `cmd:"" help:"Make every failed or cancelled delivery that matches the filter (or --all) due now."`
}

// deliveryFilterFlags select deliveries in list and replay.
type deliveryFilterFlags struct {
	Endpoint      int64  `name:"webhook" aliases:"endpoint" placeholder:"ID" help:"Only this endpoint's deliveries."`
	EventType     string `name:"event-type" help:"Only deliveries of this event type."`
	EventID       string `name:"event-id" placeholder:"UUID" help:"Only deliveries of this event."`
	CreatedAfter  string `name:"created-after" placeholder:"TIME" help:"Only deliveries created at or after this RFC 3339 time."`
	CreatedBefore string `name:"created-before" placeholder:"TIME" help:"Only deliveries created before this RFC 3339 time."`
	Tenant        string `placeholder:"TENANT" help:"Only the deliveries of this tenant's endpoints."`
}

// filter returns the flags as a client filter.
func (f deliveryFilterFlags) filter() (client.DeliveryFilter, error) {
	after, err := parseTimeFlag("created-after", f.CreatedAfter)
	if err != nil {
		return client.DeliveryFilter{}, err
	}
	before, err := parseTimeFlag("created-before", f.CreatedBefore)
	if err != nil {
		return client.DeliveryFilter{}, err
	}
	return client.DeliveryFilter{
		EndpointID: f.Endpoint, EventType: f.EventType, EventID: f.EventID, CreatedAfter: after, CreatedBefore: before,
		TenantID: f.Tenant,
	}, nil
}

type deliveriesListCmd struct {
	apiFlags
	deliveryFilterFlags
	Status string `enum:"pending,processing,delivered,failed,cancelled," default:"" help:"Only deliveries in this status: pending, processing, delivered, failed or cancelled."`
	Limit  int    `default:"50" help:"Deliveries per page (1 to 500)."`
	Cursor int64  `placeholder:"ID" help:"Continue from this cursor (printed by the previous page)."`
}

func (c *deliveriesListCmd) Run(e Env) error {
	f, err := c.filter()
	if err != nil {
		return err
	}
	f.Status, f.Limit, f.Cursor = c.Status, c.Limit, c.Cursor
	return callAPI(e, c.apiFlags, func(cl *client.Client) (wire.DeliveryList, error) {
		return cl.ListDeliveries(e.Ctx, f)
	}, func(w io.Writer, page wire.DeliveryList) {
		printDeliveries(w, page.Data)
		moreHint(e.Stderr, "cursor", page.NextCursor)
	})
}

// onDelivery holds the arguments of a command on one delivery.
type onDelivery struct {
	apiFlags
	ID int64 `arg:"" help:"Delivery ID."`
}

type deliveriesGetCmd struct{ onDelivery }

func (c *deliveriesGetCmd) Run(e Env) error {
	return byID(e, c.apiFlags, c.ID, (*client.Client).GetDelivery, printDeliveryDetail)
}

type deliveriesRetryCmd struct{ onDelivery }

func (c *deliveriesRetryCmd) Run(e Env) error {
	return byID(e, c.apiFlags, c.ID, (*client.Client).RetryDelivery, printDeliveryState)
}

type deliveriesCancelCmd struct{ onDelivery }

func (c *deliveriesCancelCmd) Run(e Env) error {
	return byID(e, c.apiFlags, c.ID, (*client.Client).CancelDelivery, printDeliveryState)
}

type deliveriesReplayCmd struct {
	apiFlags
	deliveryFilterFlags
	All bool `help:"Replay every failed or cancelled delivery; needed when no filter is given."`
}

func (c *deliveriesReplayCmd) Run(e Env) error {
	f, err := c.filter()
	if err != nil {
		return err
	}
	if c.deliveryFilterFlags == (deliveryFilterFlags{}) && !c.All {
		return usageError{fmt.Errorf("replay needs a filter (--webhook, --event-type, --event-id, --created-after, --created-before, --tenant) or --all to replay every failed or cancelled delivery")}
	}
	if c.deliveryFilterFlags != (deliveryFilterFlags{}) && c.All {
		return usageError{fmt.Errorf("--all cannot be used with a filter")}
	}
	req := wire.ReplayRequest{EndpointID: wire.EndpointIDOf(f.EndpointID), EventType: f.EventType, EventID: f.EventID, TenantID: f.TenantID}
	if !f.CreatedAfter.IsZero() {
		req.CreatedAfter = &f.CreatedAfter
	}
	if !f.CreatedBefore.IsZero() {
		req.CreatedBefore = &f.CreatedBefore
	}
	return callAPI(e, c.apiFlags, func(cl *client.Client) (wire.ReplayResponse, error) {
		n, err := cl.ReplayDeliveries(e.Ctx, req)
		return wire.ReplayResponse{Replayed: n}, err
	}, func(w io.Writer, res wire.ReplayResponse) {
		fmt.Fprintf(w, "replayed %s\n", plural(res.Replayed, "delivery", "deliveries"))
	})
}

// printDeliveries shows deliveries as a table.
func printDeliveries(w io.Writer, ds []wire.Delivery) {
	row(w, "ID", "ENDPOINT", "EVENT TYPE", "STATUS", "ATTEMPTS", "RESPONSE", "CREATED", "EVENT ID", "TENANT")
	for _, d := range ds {
		row(w, strconv.FormatInt(d.ID, 10), strconv.FormatInt(d.EndpointID, 10), d.EventType, d.Status,
			fmt.Sprintf("%d/%d", d.AttemptCount, d.MaxAttempts()), statusText(d.ResponseStatus), fmtTime(&d.CreatedAt), d.EventID,
			orDash(d.TenantID))
	}
}

// printDeliveryState shows a delivery after a change of state, with when
// it is due if it is pending.
func printDeliveryState(w io.Writer, d wire.Delivery) {
	if d.Status != "pending" {
		fmt.Fprintf(w, "delivery %d is %s\n", d.ID, d.Status)
		return
	}
	fmt.Fprintf(w, "delivery %d is %s (due %s)\n", d.ID, d.Status, fmtTime(&d.ScheduledFor))
}

// printDeliveryDetail shows one delivery, its last exchange and its attempts.
func printDeliveryDetail(w io.Writer, d wire.DeliveryDetail) {
	row(w, "ID:", strconv.FormatInt(d.ID, 10))
	row(w, "Endpoint:", strconv.FormatInt(d.EndpointID, 10))
	row(w, "Event:", d.EventID+" ("+d.EventType+")")
	row(w, "Status:", d.Status)
	row(w, "Attempts:", fmt.Sprintf("%d of at most %d", d.AttemptCount, d.MaxAttempts()))
	row(w, "Priority:", strconv.Itoa(d.Priority))
	row(w, "Ordering key:", orDash(d.OrderingKey))
	row(w, "Created:", fmtTime(&d.CreatedAt))
	row(w, "Scheduled for:", fmtTime(&d.ScheduledFor))
	row(w, "Processed:", fmtTime(d.ProcessedAt))
	if d.RecoveredAt != nil {
		row(w, "Recovered:", fmtTime(d.RecoveredAt)+" ("+d.RecoveryReason+")")
	}
	row(w, "Response:", statusText(d.ResponseStatus))
	row(w, "Last error:", orDash(d.LastError))
	row(w, "Response body:", orDash(oneLine(d.ResponseBody, 200)))
	if len(d.Attempts) == 0 {
		return
	}
	fmt.Fprintln(w)
	row(w, "ATTEMPT", "STARTED", "DURATION", "RESPONSE", "ERROR")
	for _, a := range d.Attempts {
		row(w, strconv.Itoa(a.Attempt), fmtTime(&a.StartedAt), strconv.FormatInt(a.DurationMS, 10)+"ms",
			statusText(a.ResponseStatus), orDash(a.Error))
	}
}

// oneLine squeezes text onto one table line of at most max runes.
func oneLine(text string, max int) string {
	text = strings.Join(strings.Fields(text), " ")
	if r := []rune(text); len(r) > max {
		return string(r[:max]) + "…"
	}
	return text
}

// statusText shows an HTTP status; "-" when there was no answer.
func statusText(status *int) string {
	if status == nil {
		return "-"
	}
	return strconv.Itoa(*status)
}

// plural writes n with the singular or the plural noun: "1 delivery", "0 deliveries".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
