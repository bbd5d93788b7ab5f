package ui

import (
	"context"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// The store has no aggregate queries for the dashboard's charts, so they are
// computed from ListDeliveries over a time window, reading at most
// statsLimit rows per chart; a chart over more rows says it is partial.
const statsLimit = 2000

// histogram counts deliveries per time bucket and outcome.
type histogram struct {
	start   time.Time
	step    time.Duration
	buckets []bucket
	// partial is set when the window held more than statsLimit deliveries.
	partial bool
}

// bucket is one time slice of a histogram.
type bucket struct {
	Delivered, Failed, Other int
}

func (b bucket) total() int { return b.Delivered + b.Failed + b.Other }

// loadHistogram reads the deliveries matching f created in the n buckets of
// length step that end with the current one.
func (s *server) loadHistogram(ctx context.Context, f store.DeliveryFilter, step time.Duration, n int) (histogram, error) {
	now := time.Now()
	h := histogram{start: now.Truncate(step).Add(-time.Duration(n-1) * step), step: step, buckets: make([]bucket, n)}
	f.CreatedAfter, f.Limit = &h.start, statsLimit+1
	ds, err := s.store.ListDeliveries(ctx, f)
	if err != nil {
		return histogram{}, fmt.Errorf("list deliveries for statistics: %w", err)
	}
	if len(ds) > statsLimit {
		ds, h.partial = ds[:statsLimit], true
	}
	for _, d := range ds {
		i := int(d.CreatedAt.Sub(h.start) / step)
		if i < 0 || i >= n {
			continue
		}
		switch d.Status {
		case store.StatusDelivered:
			h.buckets[i].Delivered++
		case store.StatusFailed:
			h.buckets[i].Failed++
		default:
			h.buckets[i].Other++
		}
	}
	return h, nil
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
	Partial  bool
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
	c := chart{Width: len(h.buckets) * (barWidth + 1), Height: chartHeight, Total: h.sum(), Partial: h.partial, SuccessRate: -1}
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
	if h.partial {
		c.Summary += fmt.Sprintf(" (the latest %d only)", statsLimit)
	}
	return c
}

// clockLabel names a bucket by its start: "14:00 UTC".
func clockLabel(t time.Time) string { return t.UTC().Format("15:04 UTC") }

// successChart is an endpoint's last 24 hours, by hour.
func (s *server) successChart(ctx context.Context, webhookID int64) (chart, error) {
	h, err := s.loadHistogram(ctx, store.DeliveryFilter{WebhookID: webhookID}, time.Hour, 24)
	if err != nil {
		return chart{}, err
	}
	return h.chart(clockLabel), nil
}

// perMinuteChart is every delivery of the last hour, by minute.
func (s *server) perMinuteChart(ctx context.Context) (chart, error) {
	h, err := s.loadHistogram(ctx, store.DeliveryFilter{}, time.Minute, 60)
	if err != nil {
		return chart{}, err
	}
	return h.chart(clockLabel), nil
}
