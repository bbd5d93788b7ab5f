package ui

import (
	"strconv"
	"time"
)

// ceilDiv is d in whole units, rounded up.
func ceilDiv(d, unit time.Duration) int64 {
	return int64((d + unit - 1) / unit)
}

// minutes writes a wait in whole minutes, rounded up: "1 minute", "5 minutes".
func minutes(d time.Duration) string {
	n := ceilDiv(d, time.Minute)
	if n == 1 {
		return "1 minute"
	}
	return strconv.FormatInt(n, 10) + " minutes"
}
