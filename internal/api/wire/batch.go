package wire

// PublishBatchRequest is the body of POST /v1/events/batch: 1 to 1,000
// events, each with the fields of the body of POST /v1/events.
type PublishBatchRequest struct {
	Events []PublishRequest `json:"events"`
}

// PublishBatchResponse is the answer 200 of POST /v1/events/batch: one
// result per event of the request, in its order.
type PublishBatchResponse struct {
	Results []PublishBatchResult `json:"results"`
}

// PublishBatchResult is what the batch did with one event. Status is the
// status POST /v1/events would have answered for it alone: 202 published
// with EventID, Created and Deliveries; 200 when its ID was published before
// (Created false, no deliveries); 422 or 413 when it was refused, with
// Error, the same error POST /v1/events gives, and nothing written for it.
type PublishBatchResult struct {
	Status     int    `json:"status"`
	EventID    string `json:"event_id,omitempty"`
	Created    bool   `json:"created"`
	Deliveries int    `json:"deliveries"`
	Error      *Error `json:"error,omitempty"`
}
