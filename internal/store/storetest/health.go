package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

var healthTests = []test{
	{"HealthDisablesAfterConsecutiveFailures", func(t *testing.T, f *fixture) {
		ep := f.endpoint()
		claimed := f.claimNew(3)
		policy := store.HealthPolicy{DisableAfterFailures: 2}
		if res := f.complete(policy, failed(claimed[0])); len(res.Disabled) != 0 {
			t.Fatalf("disabled after one failure: %+v", res.Disabled)
		}
		res := f.complete(policy, retryAt(claimed[1], wholeSecond(time.Hour)))
		want := []store.DisabledEndpoint{{ID: ep.ID, Reason: "2 consecutive failed attempts"}}
		if !slices.Equal(res.Disabled, want) {
			t.Fatalf("disabled %+v, want %+v", res.Disabled, want)
		}
		e := f.getEndpoint(ep.ID)
		if e.Active || e.DisabledReason != want[0].Reason {
			t.Errorf("endpoint %+v: want inactive with the reason", e)
		}
		f.recentPtr("DisabledAt", e.DisabledAt)
		if res := f.complete(policy, failed(claimed[2])); res.Applied != 1 || len(res.Disabled) != 0 {
			t.Errorf("an outcome for an endpoint already disabled: %+v; want applied, not disabled again", res)
		}
	}},
	{"HealthCountsFromTheLastSuccess", func(t *testing.T, f *fixture) {
		ep := f.endpoint()
		claimed := f.claimNew(3)
		policy := store.HealthPolicy{DisableAfterFailures: 2}
		res := f.complete(policy, failed(claimed[0]), delivered(claimed[1]), failed(claimed[2]))
		if len(res.Disabled) != 0 || !f.getEndpoint(ep.ID).Active {
			t.Errorf("disabled %+v: a success in between resets the count", res.Disabled)
		}
	}},
	{"HealthDisablesAfterFailingForLong", func(t *testing.T, f *fixture) {
		old, recent := f.failingEndpoint(1), f.endpoint()
		f.publish("document.created")
		policy := store.HealthPolicy{DisableAfterFailingFor: time.Hour}
		var outcomes []store.Outcome
		for _, c := range f.claim(10) {
			outcomes = append(outcomes, failed(c))
		}
		res := f.complete(policy, outcomes...)
		want := []store.DisabledEndpoint{{ID: old.ID, Reason: "failing for 1h0m0s without a success"}}
		if !slices.Equal(res.Disabled, want) {
			t.Errorf("disabled %+v, want %+v (the other has failed only now)", res.Disabled, want)
		}
		if !f.getEndpoint(recent.ID).Active {
			t.Error("an endpoint failing since now was disabled")
		}
	}},
	{"HealthDisablesOnRequest", func(t *testing.T, f *fixture) {
		ep := f.endpoint()
		claimed := f.claimNew(2)
		gone := failed(claimed[0])
		gone.DisableEndpoint = "endpoint answered 410 Gone"
		res := f.complete(store.HealthPolicy{DisableAfterFailures: 1}, gone, failed(claimed[1]))
		want := []store.DisabledEndpoint{{ID: ep.ID, Reason: "endpoint answered 410 Gone"}}
		if !slices.Equal(res.Disabled, want) {
			t.Errorf("disabled %+v, want %+v (the outcome's reason first)", res.Disabled, want)
		}
	}},
	{"HealthOffNeverDisables", func(t *testing.T, f *fixture) {
		ep := f.failingEndpoint(100)
		f.publish("document.created")
		res := f.complete(store.HealthPolicy{}, failed(f.claimOne()))
		if len(res.Disabled) != 0 || !f.getEndpoint(ep.ID).Active {
			t.Errorf("disabled %+v with a zero policy", res.Disabled)
		}
	}},
}
