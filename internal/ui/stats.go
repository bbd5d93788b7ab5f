package ui

import (
	"context"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// histogram counts deliveries per time bucket and outcome.
type histogram struct {
	start   time.Time
	step    time.Duration
	buckets []bucket
}

// bucket is one time slice of a histogram.
type bucket struct {
	Delivered, Failed, Other int
}

func (b bucket) total() int { return b.Delivered + b.Failed + b.Other }

// add counts n deliveries in status.
func (b *bucket) add(status store.Status, n int) {
	switch status {
	case store.StatusDelivered:
		b.Delivered += n
	case store.StatusFailed:
		b.Failed += n
	default:
		b.Other += n
	}
}

// loadHistograms counts, with one aggregate query (store.CountDeliveries),
// the deliveries created in the n buckets of length step that end with the
// current one: per endpoint of endpointIDs, or of every endpoint together
// under the key 0 when there are none. Every endpoint asked for has a
// histogram, empty when it had no delivery.
func (s *server) loadHistograms(ctx context.Context, endpointIDs []int64, step time.Duration, n int) (map[int64]histogram, error) {
	start := time.Now().Truncate(step).Add(-time.Duration(n-1) * step)
	counts, err := s.store.CountDeliveries(ctx, store.DeliveryCountRequest{
		EndpointIDs: endpointIDs, Start: start, Step: step, Buckets: n,
	})
	if err != nil {
		return nil, fmt.Errorf("count deliveries for statistics: %w", err)
	}
	keys := endpointIDs
	if len(keys) == 0 {
		keys = []int64{0}
	}
	out := make(map[int64]histogram, len(keys))
	for _, id := range keys {
		out[id] = histogram{start: start, step: step, buckets: make([]bucket, n)}
	}
	for _, c := range counts {
		if h, ok := out[c.EndpointID]; ok && c.Bucket >= 0 && c.Bucket < n {
			h.buckets[c.Bucket].add(c.Status, int(c.Count))
		}
	}
	return out, nil
}

// sum adds up every bucket.
func (h histogram) sum() bucket {
	var t bucket
	for _, b := range h.buckets {
		t.Delivered += b.Delivered
		t.Failed += b.Failed
		t.Other += b.Other
	}
	return t
}

// Chart geometry: bars of barWidth with a gap of one unit, in a box of
// chartHeight; the SVG scales to its container.
const (
	barWidth    = 3
	chartHeight = 24
)

// chart is a stacked bar chart ready for the template: one bar per bucket,
// delivered at the bottom, then failed, then the others.
type chart struct {
	Width, Height int
	Bars          []chartBar
	// Summary says in words what the chart shows, for everyone.
	Summary string
	// SuccessRate is delivered / (delivered + failed) in percent, or -1 when
	// nothing finished.
	SuccessRate int
	// Finished is the number of deliveries delivered or failed.
	Finished int
	Total    bucket
}

// chartBar is one bucket's bar.
type chartBar struct {
	X        int
	Segments []chartSegment
	Title    string
}

// chartSegment is one outcome's part of a bar.
type chartSegment struct {
	Y, Height float64
	Class     string
}

// chart draws h; label names a bucket for the tooltips, given its start.
func (h histogram) chart(label func(time.Time) string) chart {
	c := chart{Width: len(h.buckets) * (barWidth + 1), Height: chartHeight, Total: h.sum(), SuccessRate: -1}
	peak := 0
	for _, b := range h.buckets {
		peak = max(peak, b.total())
	}
	for i, b := range h.buckets {
		bar := chartBar{X: i * (barWidth + 1), Title: fmt.Sprintf("%s: %d delivered, %d failed, %d other",
			label(h.start.Add(time.Duration(i)*h.step)), b.Delivered, b.Failed, b.Other)}
		y := float64(chartHeight)
		for _, part := range []struct {
			n     int
			class string
		}{{b.Delivered, "ok"}, {b.Failed, "bad"}, {b.Other, "other"}} {
			if part.n == 0 {
				continue
			}
			height := float64(part.n) / float64(peak) * chartHeight
			y -= height
			bar.Segments = append(bar.Segments, chartSegment{Y: y, Height: height, Class: part.class})
		}
		c.Bars = append(c.Bars, bar)
	}
	c.Finished = c.Total.Delivered + c.Total.Failed
	if c.Finished > 0 {
		c.SuccessRate = c.Total.Delivered * 100 / c.Finished
	}
	c.Summary = fmt.Sprintf("%d delivered, %d failed, %d pending or cancelled", c.Total.Delivered, c.Total.Failed, c.Total.Other)
	return c
}

// clockLabel names a bucket by its start: "14:00 UTC".
func clockLabel(t time.Time) string { return t.UTC().Format("15:04 UTC") }

// successCharts charts each of endpointIDs' last 24 hours, by hour, with
// one query.
func (s *server) successCharts(ctx context.Context, endpointIDs []int64) (map[int64]chart, error) {
	if len(endpointIDs) == 0 { // an empty page: no chart (nor every endpoint's together)
		return map[int64]chart{}, nil
	}
	hs, err := s.loadHistograms(ctx, endpointIDs, time.Hour, 24)
	if err != nil {
		return nil, err
	}
	charts := make(map[int64]chart, len(hs))
	for id, h := range hs {
		charts[id] = h.chart(clockLabel)
	}
	return charts, nil
}

// successChart is an endpoint's last 24 hours, by hour.
func (s *server) successChart(ctx context.Context, endpointID int64) (chart, error) {
	charts, err := s.successCharts(ctx, []int64{endpointID})
	if err != nil {
		return chart{}, err
	}
	return charts[endpointID], nil
}

// perMinuteChart is every delivery of the last hour, by minute.
func (s *server) perMinuteChart(ctx context.Context) (chart, error) {
	hs, err := s.loadHistograms(ctx, nil, time.Minute, 60)
	if err != nil {
		return chart{}, err
	}
	return hs[0].chart(clockLabel), nil
}
