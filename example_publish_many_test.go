package hookrelay_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"

	"github.com/hookrelay/hookrelay"
)

// Many events are published in one transaction, with one result each, in
// order; an ID seen before writes nothing. One invalid event refuses the
// whole batch, before anything is written.
func ExampleClient_PublishMany() {
	ctx := context.Background()
	hooks, db, cleanup := exampleClient()
	defer cleanup()
	if _, err := hooks.CreateEndpoint(ctx, hookrelay.Endpoint{URL: "https://93.184.215.14/hooks"}); err != nil {
		log.Fatal(err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer tx.Rollback()
	const id = "0193a3c4-0000-7000-8000-00000000ba7c"
	results, err := hooks.PublishMany(ctx, tx, []hookrelay.Event{
		{ID: id, Type: "document.created", Data: json.RawMessage(`{"document_id":"doc-1"}`)},
		{Type: "document.created", Data: json.RawMessage(`{"document_id":"doc-2"}`)},
		{ID: id, Type: "document.created"},
	})
	if err != nil {
		log.Fatal(err)
	}
	for i, res := range results {
		fmt.Printf("event %d: created %v, deliveries %d\n", i, res.Created, res.Deliveries)
	}
	_, err = hooks.PublishMany(ctx, tx, []hookrelay.Event{{Type: "document.created"}, {Type: "no spaces allowed"}})
	fmt.Println(errors.Is(err, hookrelay.ErrInvalid), err)
	if err := tx.Commit(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// event 0: created true, deliveries 1
	// event 1: created true, deliveries 1
	// event 2: created false, deliveries 0
	// true hookrelay: events[1]: type: "no spaces allowed": only printable ASCII without spaces or '*' is allowed
}
