package ui

import (
	"testing"
	"time"
)

func TestMinutes(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Second:                     "1 minute",
		time.Minute:                     "1 minute",
		time.Minute + time.Second:       "2 minutes",
		5 * time.Minute:                 "5 minutes",
		5*time.Minute - time.Nanosecond: "5 minutes",
	} {
		if got := minutes(d); got != want {
			t.Errorf("minutes(%v) = %q, want %q", d, got, want)
		}
	}
}
