package ui

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// statusCount is the number of deliveries in one state.
type statusCount struct {
	Status store.Status
	Count  int64
}

// endpointHealth is one line of the overview's failures table.
type endpointHealth struct {
	Endpoint maskedEndpoint
	// Failed is the number of deliveries that ended failed in the last 24 h.
	Failed int
}

// overviewView is the data of the overview.
type overviewView struct {
	Counts []statusCount
	// Queued is the number of deliveries waiting or in flight.
	Queued int64
	// PerMinute charts the last hour's deliveries by minute.
	PerMinute chart
	// PerMinuteAverage is the last hour's deliveries per minute.
	PerMinuteAverage string
	// Failing lists the endpoints with failures or disabled, worst first.
	Failing []endpointHealth
}

// overview handles GET /ui/: the queue by status, deliveries per minute and
// failures per endpoint.
func (s *server) overview(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	counts, err := s.store.CountByStatus(ctx)
	if err != nil {
		return fmt.Errorf("count deliveries by status: %w", err)
	}
	var v overviewView
	for _, st := range (deliveryFilter{}).Statuses() {
		v.Counts = append(v.Counts, statusCount{Status: st, Count: counts[st]})
	}
	v.Queued = counts[store.StatusPending] + counts[store.StatusProcessing]
	if v.PerMinute, err = s.perMinuteChart(ctx); err != nil {
		return err
	}
	v.PerMinuteAverage = fmt.Sprintf("%.1f", float64(v.PerMinute.Total.total())/60)
	if v.Failing, err = s.failingEndpoints(ctx); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "overview", "Overview", v)
	return nil
}

// failingEndpoints lists the endpoints that failed deliveries in the last
// 24 hours, are failing now, or are disabled, worst first.
func (s *server) failingEndpoints(ctx context.Context) ([]endpointHealth, error) {
	endpoints, err := s.loadEndpointIndex(ctx)
	if err != nil {
		return nil, err
	}
	var rows []endpointHealth
	if len(endpoints.All) == 0 {
		return rows, nil
	}
	ids := make([]int64, len(endpoints.All))
	for i, e := range endpoints.All {
		ids[i] = e.ID
	}
	// Two buckets of a day from a day ago: the last 24 hours, and whatever
	// a clock ahead of this one dated later.
	counts, err := s.store.CountDeliveries(ctx, store.DeliveryCountRequest{
		EndpointIDs: ids, Start: time.Now().Add(-24 * time.Hour), Step: 24 * time.Hour, Buckets: 2,
	})
	if err != nil {
		return nil, fmt.Errorf("count failed deliveries: %w", err)
	}
	perEndpoint := map[int64]int{}
	for _, c := range counts {
		if c.Status == store.StatusFailed {
			perEndpoint[c.EndpointID] += int(c.Count)
		}
	}
	for _, e := range endpoints.All {
		if n := perEndpoint[e.ID]; n > 0 || e.FailureCount > 0 || !e.Active {
			rows = append(rows, endpointHealth{Endpoint: e, Failed: n})
		}
	}
	slices.SortStableFunc(rows, func(a, b endpointHealth) int {
		if a.Failed != b.Failed {
			return b.Failed - a.Failed
		}
		return b.Endpoint.FailureCount - a.Endpoint.FailureCount
	})
	return rows, nil
}
