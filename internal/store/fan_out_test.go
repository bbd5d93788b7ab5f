package store

import (
	"slices"
	"testing"
)

func TestFanOut(t *testing.T) {
	nine := 9
	active := []Endpoint{
		{ID: 1},
		{ID: 2, Events: []string{"document.*"}},
		{ID: 3, Events: []string{"reminder.sent"}, MaxRetries: &nine},
	}
	for _, c := range []struct {
		name      string
		eventType string
		opts      PublishOptions
		want      []PublishTarget
	}{
		{
			name: "subscriptions decide", eventType: "document.created", opts: PublishOptions{MaxRetries: 5},
			want: []PublishTarget{{EndpointID: 1, MaxRetries: 5}, {EndpointID: 2, MaxRetries: 5}},
		},
		{
			name: "the endpoint's own retry budget", eventType: "reminder.sent", opts: PublishOptions{MaxRetries: 5},
			want: []PublishTarget{{EndpointID: 1, MaxRetries: 5}, {EndpointID: 3, MaxRetries: 9}},
		},
		{
			name: "no subscriber", eventType: "webhook.ping", opts: PublishOptions{MaxRetries: 5},
			want: []PublishTarget{{EndpointID: 1, MaxRetries: 5}},
		},
		{
			name: "explicit targets whatever their subscriptions", eventType: "webhook.ping",
			opts: PublishOptions{MaxRetries: 5, EndpointIDs: []int64{1, 2, 3}},
			want: []PublishTarget{{EndpointID: 1, MaxRetries: 5}, {EndpointID: 2, MaxRetries: 5}, {EndpointID: 3, MaxRetries: 9}},
		},
		{
			name: "explicit targets among more active endpoints", eventType: "document.created",
			opts: PublishOptions{MaxRetries: 5, EndpointIDs: []int64{3, 404}},
			want: []PublishTarget{{EndpointID: 3, MaxRetries: 9}},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := FanOut(active, c.eventType, "", c.opts); !slices.Equal(got, c.want) {
				t.Errorf("FanOut = %+v, want %+v", got, c.want)
			}
		})
	}
	if got := FanOut(nil, "document.created", "", PublishOptions{}); got == nil || len(got) != 0 {
		t.Errorf("FanOut of no endpoint = %#v, want an empty slice", got)
	}
}
