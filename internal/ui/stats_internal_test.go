package ui

import (
	"strings"
	"testing"
	"time"
)

func TestHistogramChart(t *testing.T) {
	start := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	h := histogram{start: start, step: time.Hour, buckets: []bucket{{}, {Delivered: 3, Failed: 1}, {Other: 2}}}
	c := h.chart(clockLabel)
	if c.Width != 3*(barWidth+1) || len(c.Bars) != 3 || c.SuccessRate != 75 || c.Finished != 4 {
		t.Fatalf("chart %+v", c)
	}
	if len(c.Bars[0].Segments) != 0 || len(c.Bars[1].Segments) != 2 || c.Bars[1].Title != "11:00 UTC: 3 delivered, 1 failed, 0 other" {
		t.Fatalf("bars %+v", c.Bars)
	}
	if top := c.Bars[1].Segments[1]; top.Class != "bad" || top.Y != 0 || top.Height != chartHeight/4 {
		t.Errorf("the tallest bar does not fill the chart: %+v", c.Bars[1].Segments)
	}

	idle := histogram{start: start, step: time.Minute, buckets: []bucket{{Other: 1}}, partial: true}.chart(clockLabel)
	if idle.SuccessRate != -1 || !strings.Contains(idle.Summary, "latest 2000 only") {
		t.Fatalf("idle chart %+v", idle)
	}
}
