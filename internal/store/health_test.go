package store

import (
	"slices"
	"testing"
	"time"
)

func TestTallyEndpoints(t *testing.T) {
	applied := func(endpoint int64, r Result, disable string) AppliedOutcome {
		return AppliedOutcome{Outcome: Outcome{Result: r, DisableEndpoint: disable}, EndpointID: endpoint}
	}
	for _, c := range []struct {
		name    string
		applied []AppliedOutcome
		want    []EndpointTally
	}{
		{name: "none", want: []EndpointTally{}},
		{
			name:    "failures count",
			applied: []AppliedOutcome{applied(1, ResultRetry, ""), applied(1, ResultFailed, "")},
			want:    []EndpointTally{{EndpointID: 1, Failures: 2}},
		},
		{
			name:    "a delivery resets the count",
			applied: []AppliedOutcome{applied(1, ResultFailed, ""), applied(1, ResultDelivered, ""), applied(1, ResultRetry, "")},
			want:    []EndpointTally{{EndpointID: 1, Delivered: true, Failures: 1}},
		},
		{
			name:    "delivered last",
			applied: []AppliedOutcome{applied(1, ResultFailed, ""), applied(1, ResultDelivered, "")},
			want:    []EndpointTally{{EndpointID: 1, Delivered: true}},
		},
		{
			name: "the first reason to disable",
			applied: []AppliedOutcome{
				applied(1, ResultFailed, ""), applied(1, ResultFailed, "410 Gone"), applied(1, ResultFailed, "later"),
			},
			want: []EndpointTally{{EndpointID: 1, Failures: 3, DisableReason: "410 Gone"}},
		},
		{
			name: "by ascending endpoint ID",
			applied: []AppliedOutcome{
				applied(9, ResultFailed, ""), applied(2, ResultDelivered, ""), applied(5, ResultRetry, "x"), applied(9, ResultRetry, ""),
			},
			want: []EndpointTally{
				{EndpointID: 2, Delivered: true}, {EndpointID: 5, Failures: 1, DisableReason: "x"}, {EndpointID: 9, Failures: 2},
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := TallyEndpoints(c.applied); !slices.Equal(got, c.want) {
				t.Errorf("TallyEndpoints = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestHealthReasons(t *testing.T) {
	p := HealthPolicy{DisableAfterFailures: 5, DisableAfterFailingFor: 36 * time.Hour}
	if got, want := p.FailuresReason(), "5 consecutive failed attempts"; got != want {
		t.Errorf("FailuresReason = %q, want %q", got, want)
	}
	if got, want := p.FailingForReason(), "failing for 36h0m0s without a success"; got != want {
		t.Errorf("FailingForReason = %q, want %q", got, want)
	}
}
