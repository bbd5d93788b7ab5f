package cli

import (
	"io"
	"strconv"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/client"
)

type eventsListCmd struct {
	apiFlags
	Type          string `placeholder:"TYPE" help:"Only events of this exact type."`
	Tenant        string `placeholder:"TENANT" help:"Only the events of this tenant."`
	CreatedAfter  string `name:"created-after" placeholder:"TIME" help:"Only events created at or after this RFC 3339 time."`
	CreatedBefore string `name:"created-before" placeholder:"TIME" help:"Only events created before this RFC 3339 time."`
	Limit         int    `default:"50" help:"Events per page (1 to 500)."`
	Cursor        string `help:"Continue from this cursor (printed by the previous page)."`
}

func (c *eventsListCmd) Run(e Env) error {
	after, err := parseTimeFlag("created-after", c.CreatedAfter)
	if err != nil {
		return err
	}
	before, err := parseTimeFlag("created-before", c.CreatedBefore)
	if err != nil {
		return err
	}
	f := client.EventFilter{Type: c.Type, TenantID: c.Tenant, CreatedAfter: after, CreatedBefore: before, Cursor: c.Cursor, Limit: c.Limit}
	return callAPI(e, c.apiFlags, func(cl *client.Client) (wire.EventList, error) {
		return cl.ListEvents(e.Ctx, f)
	}, func(w io.Writer, page wire.EventList) {
		row(w, "CREATED", "TYPE", "PRIORITY", "ORDERING KEY", "ID", "TENANT")
		for _, ev := range page.Data {
			row(w, fmtTime(&ev.CreatedAt), ev.Type, strconv.Itoa(ev.Priority), orDash(ev.OrderingKey), ev.ID, orDash(ev.TenantID))
		}
		moreHint(e.Stderr, "cursor", page.NextCursor)
	})
}
