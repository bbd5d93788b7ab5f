package bench

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// Print writes results as one table.
func Print(w io.Writer, results []Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "store\tdeliveries\tpublish/s\tdeliveries/s\tp50\tp95\tp99\tmax\tCPU/1k deliveries\tpeak RSS\tduplicates\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.0f\t%s\t%s\t%s\t%s\t%s\t%.0f MiB\t%d\t\n",
			r.Target, r.Deliveries, r.PublishRate, r.Throughput,
			ms(r.P50), ms(r.P95), ms(r.P99), ms(r.Max), ms(r.CPUPer1000), r.PeakRSSMiB, r.Duplicates)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range results {
		if r.IncompleteNote != "" {
			fmt.Fprintf(w, "%s: %s\n", r.Target, r.IncompleteNote)
		}
	}
	return nil
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}
