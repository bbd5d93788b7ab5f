package api

import (
	"net/http"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/service"
)

// batchPayloadFactor is how many times MaxPayloadBytes the body of a batch
// may hold (16 MiB with the default limit).
const batchPayloadFactor = 64

// publishBatch handles POST /v1/events/batch: 1 to store.MaxPublishMany
// events, each checked as POST /v1/events checks one, published in one
// transaction. It answers 200 with one result per event, in order, when the
// batch was read, whether each event was published, existed or was refused:
// a refused event does not refuse the others. A body that is not the
// batch's JSON is 400, one above the batch limit 413, and no events or too
// many 422, and then nothing is written.
func (s *server) publishBatch(w http.ResponseWriter, r *http.Request) error {
	var req wire.PublishBatchRequest
	if err := decodeJSONUpTo(w, r, &req, false, batchPayloadFactor*s.maxPayload); err != nil {
		return err
	}
	reqs := make([]service.PublishRequest, len(req.Events))
	for i, ev := range req.Events {
		reqs[i] = publishRequest(ev)
	}
	published, err := s.service.PublishMany(r.Context(), reqs)
	if err != nil {
		return err
	}
	results := make([]wire.PublishBatchResult, len(published))
	for i, p := range published {
		if p.Err != nil {
			if results[i], err = refused(p.Err); err != nil {
				return err
			}
			continue
		}
		status := http.StatusAccepted
		if !p.Created {
			status = http.StatusOK
		}
		results[i] = wire.PublishBatchResult{Status: status, EventID: p.Event.ID, Created: p.Created, Deliveries: p.Deliveries}
	}
	writeJSON(w, http.StatusOK, wire.PublishBatchResponse{Results: results})
	return nil
}

// refused is the result of an event refused with err, or err itself when it
// is not the event's fault (a failing database), which fails the batch.
func refused(err error) (wire.PublishBatchResult, error) {
	ae, known := toAPIError(err)
	if !known || ae.status >= http.StatusInternalServerError {
		return wire.PublishBatchResult{}, err
	}
	body := ae.body
	return wire.PublishBatchResult{Status: ae.status, Error: &body}, nil
}
