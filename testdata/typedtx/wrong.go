//go:build wrong

package main

import "github.com/hookrelay/hookrelay"

func main() {
	_, _ = sqlClient.Publish(ctx, pgxTx, hookrelay.Event{})              // want "cannot use pgxTx"
	_, _ = pgxClient.PublishMany(ctx, sqlTx, nil)                        // want "cannot use sqlTx"
	_, _ = openClient.CreateEndpointTx(ctx, sqlTx, hookrelay.Endpoint{}) // want "cannot use sqlTx"
	_, _ = sqlClient.Publish(ctx, "tx", hookrelay.Event{})               // want "cannot use \"tx\""
	_, _ = openClient.Publish(ctx, struct{}{}, hookrelay.Event{})        // want "cannot use struct{}{}"
}
