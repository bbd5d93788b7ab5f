package hookrelay_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"

	"github.com/hookrelay/hookrelay"
)

// Catalogue an event type with a JSON Schema for its data: publishing data
// that fails it is refused, naming where and which keyword.
func ExampleClient_CreateEventType() {
	hooks, _, cleanup := exampleClient()
	defer cleanup()
	ctx := context.Background()

	_, err := hooks.CreateEventType(ctx, hookrelay.EventType{
		Name:        "invoice.paid",
		Description: "An invoice was paid.",
		Schema:      json.RawMessage(`{"type":"object","required":["amount"],"properties":{"amount":{"type":"number","minimum":0}}}`),
		Example:     json.RawMessage(`{"amount":12.5}`),
	})
	if err != nil {
		log.Fatal(err)
	}
	_, err = hooks.PublishNow(ctx, hookrelay.Event{Type: "invoice.paid", Data: json.RawMessage(`{"amount":-1}`)})
	fmt.Println(errors.Is(err, hookrelay.ErrInvalid), err)
	for _, v := range hookrelay.Violations(err) {
		fmt.Printf("at %q: %s (%s)\n", v.Location, v.Keyword, v.Message)
	}
	// Output:
	// true hookrelay: data: /amount: minimum: got -1, want 0
	// at "/amount": minimum (got -1, want 0)
}
