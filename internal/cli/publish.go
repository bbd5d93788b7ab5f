package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hookrelay/hookrelay/internal/app"
	"github.com/hookrelay/hookrelay/internal/config"
	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
)

type publishCmd struct {
	config.Database   `embed:""`
	config.Retries    `embed:""`
	config.EventTypes `embed:""`
	Type              string `required:"" help:"Event type, e.g. document.created."`
	Data              string `default:"{}" help:"Event data as a JSON document."`
	ID                string `help:"Event ID (a UUID); publishing an existing ID creates nothing. Default: a new one."`
	Priority          int    `help:"Higher is delivered first."`
	Key               string `name:"ordering-key" placeholder:"KEY" help:"Ordering key: each endpoint gets the events of one key one at a time, in publish order."`
	Tenant            string `name:"tenant" aliases:"tenant-id" placeholder:"TENANT" help:"Publish in this tenant: only its endpoints get the event (README, Tenants)."`
}

func (c *publishCmd) Run(e Env) error {
	if err := c.Validate(); err != nil {
		return usageError{err}
	}
	if c.MaxRetries < 0 || c.MaxRetries > store.MaxRetriesLimit {
		return usageError{fmt.Errorf("WEBHOOK_MAX_RETRIES: must be between 0 and %d, got %d", store.MaxRetriesLimit, c.MaxRetries)}
	}
	ev := store.Event{ID: c.ID, Type: c.Type, Data: json.RawMessage(c.Data), Priority: c.Priority, OrderingKey: c.Key, TenantID: c.Tenant}
	if err := ev.Normalize(); err != nil {
		// A field's flag is its name with dashes (ordering_key: --ordering-key).
		var fe *store.FieldError
		if errors.As(err, &fe) {
			return usageError{fmt.Errorf("--%s: %s", strings.ReplaceAll(fe.Field, "_", "-"), fe.Message)}
		}
		return usageError{fmt.Errorf("--%w", err)}
	}
	st, err := app.OpenExistingStore(e.Ctx, c.Database)
	if err != nil {
		return storeFailed(err)
	}
	defer st.Close()
	// Through the service, so that the event-type catalog applies as at
	// every other door (its schema, HOOKRELAY_REQUIRE_EVENT_TYPES).
	svc := service.New(st, service.Options{DefaultMaxRetries: c.MaxRetries, RequireEventTypes: c.RequireEventTypes})
	res, err := svc.Publish(e.Ctx, service.PublishRequest{Event: ev})
	var fe *service.FieldError
	if errors.As(err, &fe) {
		return usageError{fmt.Errorf("--%s", fe.Error())}
	}
	if err != nil {
		return storeFailed(err)
	}
	out, err := json.Marshal(map[string]any{
		"event_id": res.Event.ID, "type": res.Event.Type, "created": res.Created, "deliveries": res.Deliveries,
	})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(e.Stdout, string(out))
	return err
}
