//go:build !wrong

package main

import "github.com/hookrelay/hookrelay"

func main() {
	_, _ = pgxClient.Publish(ctx, pgxTx, hookrelay.Event{})
	_, _ = sqlClient.PublishMany(ctx, sqlTx, nil)
	_, _ = sqlClient.CreateEndpointTx(ctx, sqlTx, hookrelay.Endpoint{})
	_, _ = openClient.PublishNow(ctx, hookrelay.Event{})
}
