package store

import (
	"slices"
	"testing"
)

func TestResultNames(t *testing.T) {
	for _, c := range []struct {
		result Result
		name   string
		valid  bool
	}{
		{ResultDelivered, "delivered", true},
		{ResultRetry, "retry", true},
		{ResultFailed, "failed", true},
		{0, "Result(0)", false},
		{9, "Result(9)", false},
	} {
		if got := c.result.String(); got != c.name {
			t.Errorf("Result(%d).String() = %q, want %q", int(c.result), got, c.name)
		}
		if got := c.result.Valid(); got != c.valid {
			t.Errorf("Result(%d).Valid() = %v, want %v", int(c.result), got, c.valid)
		}
	}
}

func TestFirstOutcomes(t *testing.T) {
	outcome := func(id int64, r Result, worker string) Outcome {
		return Outcome{Lease: Lease{DeliveryID: id, Worker: worker}, Result: r}
	}
	for _, c := range []struct {
		name     string
		outcomes []Outcome
		want     []Outcome
		wantErr  bool
	}{
		{name: "none", outcomes: nil, want: []Outcome{}},
		{
			name:     "one per delivery, in batch order",
			outcomes: []Outcome{outcome(3, ResultFailed, "a"), outcome(1, ResultDelivered, "a"), outcome(2, ResultRetry, "a")},
			want:     []Outcome{outcome(3, ResultFailed, "a"), outcome(1, ResultDelivered, "a"), outcome(2, ResultRetry, "a")},
		},
		{
			name:     "the first of a delivery wins",
			outcomes: []Outcome{outcome(1, ResultDelivered, "a"), outcome(2, ResultRetry, "a"), outcome(1, ResultFailed, "b")},
			want:     []Outcome{outcome(1, ResultDelivered, "a"), outcome(2, ResultRetry, "a")},
		},
		{name: "unknown result", outcomes: []Outcome{outcome(1, ResultDelivered, "a"), outcome(2, 0, "a")}, wantErr: true},
		{
			name:     "unknown result of a skipped outcome",
			outcomes: []Outcome{outcome(1, ResultDelivered, "a"), outcome(1, 7, "a")},
			wantErr:  true,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := FirstOutcomes(c.outcomes)
			if c.wantErr {
				if err == nil {
					t.Fatalf("FirstOutcomes = %+v, want an error", got)
				}
				return
			}
			if err != nil || !slices.EqualFunc(got, c.want, func(a, b Outcome) bool { return a.Lease == b.Lease && a.Result == b.Result }) || got == nil {
				t.Errorf("FirstOutcomes = %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
}
