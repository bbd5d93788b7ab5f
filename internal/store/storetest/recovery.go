package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// recovering is a health policy with automatic recovery within an hour.
var recovering = store.HealthPolicy{RecoverWithin: time.Hour}

var recoveryTests = []test{
	{"RecoveryQueuesWhatFailedForGoodWhenTheEndpointAnswers", func(t *testing.T, f *fixture) {
		ep := f.endpoint()
		for range 3 {
			f.publish("document.created", withRetries(0))
		}
		permanent := f.publish("document.created") // retries left: a 4xx failed it, not the outage
		res := f.failDue(recovering)
		if res.Applied != 4 {
			t.Fatalf("failed %d deliveries, want 4", res.Applied)
		}
		cancelled := f.publish("document.created")
		if _, err := f.s.CancelDelivery(f.ctx, f.deliveriesOf(cancelled.Event.ID)[0].ID); err != nil {
			t.Fatal(err)
		}
		if r := f.recoveryOf(ep.ID); r.ToRecover != 3 || r.Recovering != 0 {
			t.Errorf("before the 2xx: %+v, want 3 to recover", r)
		}
		f.publish("document.created")
		f.complete(recovering, delivered(f.claimOne()))

		pending := f.list(store.DeliveryFilter{EndpointID: ep.ID, Status: store.StatusPending})
		slices.Reverse(pending) // oldest first
		if len(pending) != 3 {
			t.Fatalf("%d deliveries pending after the 2xx, want the 3 that failed for good", len(pending))
		}
		for i, d := range pending {
			f.recentPtr("RecoveredAt", d.RecoveredAt)
			if d.RetryCount != 1 || d.MaxRetries != 1 || d.ProcessedAt != nil {
				t.Errorf("recovered delivery %+v: want one more attempt, not processed", d)
			}
			if i > 0 {
				if gap := d.ScheduledFor.Sub(pending[i-1].ScheduledFor); gap != store.RecoverySpacing {
					t.Errorf("delivery %d is due %v after the one before, want %v", d.ID, gap, store.RecoverySpacing)
				}
			}
		}
		if d := f.deliveriesOf(permanent.Event.ID)[0]; d.Status != store.StatusFailed || d.RecoveredAt != nil {
			t.Errorf("a delivery with retries left, failed by a permanent answer: %+v; want it failed", d)
		}
		if d := f.deliveriesOf(cancelled.Event.ID)[0]; d.Status != store.StatusCancelled || d.RecoveredAt != nil {
			t.Errorf("cancelled delivery %+v was recovered", d)
		}
		if r := f.recoveryOf(ep.ID); r.ToRecover != 0 || r.Recovering != 3 {
			t.Errorf("after the 2xx: %+v, want 3 recovering", r)
		}
	}},
	{"RecoveryNeverRecoversTwice", func(t *testing.T, f *fixture) {
		ep := f.endpoint()
		f.publish("document.created", withRetries(0))
		f.failDue(recovering)
		f.publish("document.created")
		f.complete(recovering, delivered(f.claimOne()))
		again := f.claimOne() // the recovered one, due first
		if again.Delivery.RecoveredAt == nil {
			t.Fatalf("claimed %+v, want the recovered delivery", again.Delivery)
		}
		f.complete(recovering, failed(again))
		f.publish("document.created")
		f.complete(recovering, delivered(f.claimOne()))
		d := f.delivery(again.Delivery.ID)
		if d.Status != store.StatusFailed {
			t.Errorf("a delivery that failed again after its recovery is %s, want failed: recovered once only", d.Status)
		}
		sameInstant(t, "RecoveredAt", *d.RecoveredAt, *again.Delivery.RecoveredAt)
		if r := f.recoveryOf(ep.ID); r.ToRecover != 0 {
			t.Errorf("%+v: a recovered delivery counted to recover", r)
		}
	}},
	{"RecoveryOnlyWhatFailedSinceTheLastSuccess", func(t *testing.T, f *fixture) {
		f.endpoint()
		before := f.publish("document.created", withRetries(0))
		f.failDue(store.HealthPolicy{}) // recovery off: this outage ends unrecovered
		f.publish("document.created")
		f.complete(store.HealthPolicy{}, delivered(f.claimOne()))
		during := f.publish("document.created", withRetries(0))
		f.failDue(recovering)
		f.publish("document.created")
		f.complete(recovering, delivered(f.claimOne()))
		if d := f.deliveriesOf(before.Event.ID)[0]; d.Status != store.StatusFailed {
			t.Errorf("delivery failed before the last success is %s, want failed", d.Status)
		}
		if d := f.deliveriesOf(during.Event.ID)[0]; d.Status != store.StatusPending {
			t.Errorf("delivery failed during the outage is %s, want pending", d.Status)
		}
	}},
	{"RecoveryWindowIsRespected", func(t *testing.T, f *fixture) {
		ep := f.endpoint()
		const window = 300 * time.Millisecond
		policy := store.HealthPolicy{RecoverWithin: window}
		old := f.publish("document.created", withRetries(0))
		f.failDue(policy)
		failedAt := *f.deliveriesOf(old.Event.ID)[0].ProcessedAt
		for time.Since(failedAt) < 2*window { // a precondition, not a proof
			time.Sleep(window / 4)
		}
		recent := f.publish("document.created", withRetries(0))
		f.failDue(policy)
		if r := f.recoveryOf(ep.ID, window); r.ToRecover != 1 {
			t.Errorf("%+v: want 1 to recover within %v", r, window)
		}
		f.publish("document.created")
		f.complete(policy, delivered(f.claimOne()))
		if d := f.deliveriesOf(old.Event.ID)[0]; d.Status != store.StatusFailed || d.RecoveredAt != nil {
			t.Errorf("delivery failed before the window: %+v, want failed", d)
		}
		if d := f.deliveriesOf(recent.Event.ID)[0]; d.Status != store.StatusPending {
			t.Errorf("delivery failed within the window is %s, want pending", d.Status)
		}
	}},
	{"RecoveryProbesOnlyWhatTheHealthRulesDisabled", func(t *testing.T, f *fixture) {
		rules, gone := f.endpoint(), f.endpoint()
		policy := store.HealthPolicy{DisableAfterFailures: 1, ProbeInterval: time.Hour, RecoverWithin: time.Hour}
		f.publish("document.created", toEndpoints(rules.ID, gone.ID), withRetries(0))
		var outcomes []store.Outcome
		for _, c := range f.claim(10) {
			out := failed(c)
			if c.Endpoint.ID == gone.ID {
				out.DisableEndpoint = "endpoint answered 410 Gone"
			}
			outcomes = append(outcomes, out)
		}
		f.complete(policy, outcomes...)
		e := f.getEndpoint(rules.ID)
		f.recentPtr("Probe.Since", e.Probe.Since)
		if e.Active || e.Probe.NextAt == nil || e.Probe.NextAt.Sub(*e.Probe.Since) != time.Hour {
			t.Errorf("endpoint disabled by the rules: %+v, want probed in an hour", e)
		}
		if g := f.getEndpoint(gone.ID); g.Probe.Probing() {
			t.Errorf("an endpoint that answered 410 is probed: %+v", g.Probe)
		}
		if due := f.dueProbes(); len(due) != 0 {
			t.Errorf("due probes %v before their time", endpointIDs(due))
		}
	}},
	{"RecoveryProbeSuccessReEnablesAndRecovers", func(t *testing.T, f *fixture) {
		ep := f.endpoint()
		policy := store.HealthPolicy{DisableAfterFailures: 1, ProbeInterval: time.Microsecond, RecoverWithin: time.Hour}
		lost := f.publish("document.created", withRetries(0))
		f.failDue(policy)
		if due := f.dueProbes(); !slices.Equal(endpointIDs(due), []int64{ep.ID}) || due[0].Secret == "" {
			t.Fatalf("due probes %+v, want the endpoint with its secret", due)
		}
		next := wholeSecond(time.Minute)
		if err := f.s.ProbeFailed(f.ctx, ep.ID, next); err != nil {
			t.Fatal(err)
		}
		if p := f.getEndpoint(ep.ID).Probe; p.Failures != 1 || !p.NextAt.Equal(next) {
			t.Errorf("after a failed probe %+v, want 1 failure, next at %v", p, next)
		}
		if due := f.dueProbes(); len(due) != 0 {
			t.Errorf("due probes %v before the next probe's time", endpointIDs(due))
		}
		n, err := f.s.ProbeSucceeded(f.ctx, ep.ID, time.Hour)
		if err != nil || n != 1 {
			t.Fatalf("ProbeSucceeded = %d, %v; want 1 recovered", n, err)
		}
		e := f.getEndpoint(ep.ID)
		if !e.Active || e.DisabledReason != "" || e.Probe.Probing() || e.FailureCount != 0 || e.FailingSince != nil {
			t.Errorf("endpoint after a probe's 2xx: %+v, want active and healthy, not probed", e)
		}
		if d := f.deliveriesOf(lost.Event.ID)[0]; d.Status != store.StatusPending || d.RecoveredAt == nil {
			t.Errorf("delivery lost in the outage: %+v, want recovered", d)
		}
		_, err = f.s.ProbeSucceeded(f.ctx, ep.ID, time.Hour)
		wantErr(t, "ProbeSucceeded of an active endpoint", err, store.ErrConflict)
	}},
	{"RecoveryStopsWhenAPersonActs", func(t *testing.T, f *fixture) {
		byHand, stopped, back := f.endpoint(), f.endpoint(), f.endpoint()
		policy := store.HealthPolicy{DisableAfterFailures: 1, ProbeInterval: time.Microsecond, RecoverWithin: time.Hour}
		f.publish("document.created", toEndpoints(byHand.ID, stopped.ID, back.ID), withRetries(0))
		f.failDue(policy)
		f.setActive(byHand.ID, false)
		if e := f.getEndpoint(byHand.ID); e.Probe.Probing() {
			t.Errorf("an endpoint disabled by a person is probed: %+v", e.Probe)
		}
		if e, err := f.s.StopRecovery(f.ctx, stopped.ID); err != nil || e.Probe.Probing() || e.Active {
			t.Errorf("StopRecovery = %+v, %v; want disabled, not probed", e, err)
		}
		if due := f.dueProbes(); !slices.Equal(endpointIDs(due), []int64{back.ID}) {
			t.Errorf("due probes %v, want only %d", endpointIDs(due), back.ID)
		}
		for _, id := range []int64{byHand.ID, stopped.ID} {
			_, err := f.s.ProbeSucceeded(f.ctx, id, time.Hour)
			wantErr(t, "ProbeSucceeded of an endpoint a person stopped", err, store.ErrConflict)
		}
		if _, err := f.s.ProbeSucceeded(f.ctx, back.ID, time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.StopRecovery(f.ctx, back.ID); err != nil {
			t.Fatal(err)
		}
		for _, d := range f.list(store.DeliveryFilter{EndpointID: back.ID}) {
			if d.Status != store.StatusCancelled {
				t.Errorf("recovered delivery %+v after a stop, want cancelled", d)
			}
		}
		_, err := f.s.StopRecovery(f.ctx, 1<<40)
		wantErr(t, "StopRecovery of a missing endpoint", err, store.ErrNotFound)
	}},
	{"RecoveryNeverProbesWhatWEBHOOK_URLSDropped", func(t *testing.T, f *fixture) {
		const u = "https://config-probe.example/hook"
		f.sync([]string{u}, "secret-0123456789abcdef")
		ep := f.configEndpoints()[u]
		policy := store.HealthPolicy{DisableAfterFailures: 1, ProbeInterval: time.Microsecond}
		f.publish("document.created", toEndpoints(ep.ID), withRetries(0))
		f.failDue(policy)
		if !f.getEndpoint(ep.ID).Probe.Probing() {
			t.Fatal("a config endpoint disabled by its health rules is not probed")
		}
		f.sync([]string{"https://other.example/hook"}, "secret-0123456789abcdef")
		if e := f.getEndpoint(ep.ID); e.Probe.Probing() || e.Active || e.DisabledReason != store.RemovedFromConfigReason {
			t.Errorf("endpoint dropped from WEBHOOK_URLS: %+v; want disabled for it, not probed", e)
		}
		if due := f.dueProbes(); len(due) != 0 {
			t.Errorf("due probes %v, want none", endpointIDs(due))
		}
	}},
}

// recoveryOf reads the recovery state of endpoint id, within window (an
// hour when not given).
func (f *fixture) recoveryOf(id int64, window ...time.Duration) store.Recovery {
	f.t.Helper()
	w := time.Hour
	if len(window) > 0 {
		w = window[0]
	}
	r, err := f.s.RecoveryOf(f.ctx, id, w)
	if err != nil {
		f.t.Fatalf("recovery of endpoint %d: %v", id, err)
	}
	return r
}

// dueProbes lists the endpoints due for a probe.
func (f *fixture) dueProbes() []store.Endpoint {
	f.t.Helper()
	due, err := f.s.DueProbes(f.ctx, 100)
	if err != nil {
		f.t.Fatalf("due probes: %v", err)
	}
	return due
}

// RecoveryAfterMigration checks a store migrated from a release before
// automatic recovery that holds endpoint 1, failing since an hour ago, with
// a delivery that failed for good half an hour ago and one pending: both
// kept, nothing recovered nor probed by the migration, and the endpoint's
// next 2xx recovers the failed one.
func RecoveryAfterMigration(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	e := f.getEndpoint(1)
	if e.Probe.Probing() || e.Probe.Failures != 0 || e.FailureCount != 3 {
		t.Errorf("migrated endpoint %+v: want its health kept, not probed", e)
	}
	ds := f.list(store.DeliveryFilter{EndpointID: 1})
	if len(ds) != 2 {
		t.Fatalf("%d deliveries after the migration, want 2", len(ds))
	}
	failedOne := ds[1]
	if failedOne.Status != store.StatusFailed || failedOne.RecoveredAt != nil {
		t.Fatalf("migrated failed delivery %+v: want failed, never recovered", failedOne)
	}
	if r := f.recoveryOf(1); r.ToRecover != 1 || r.Probing() {
		t.Errorf("recovery of the migrated endpoint %+v, want 1 to recover", r)
	}
	var outcomes []store.Outcome
	for _, c := range f.claim(10) {
		outcomes = append(outcomes, delivered(c))
	}
	if len(outcomes) != 1 {
		t.Fatalf("claimed %d deliveries, want the pending one", len(outcomes))
	}
	f.complete(recovering, outcomes...)
	if d := f.delivery(failedOne.ID); d.Status != store.StatusPending || d.RecoveredAt == nil {
		t.Errorf("migrated failed delivery after a 2xx: %+v, want recovered", d)
	}
}
