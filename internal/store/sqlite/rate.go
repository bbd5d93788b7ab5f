package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// paceLimited is the rate-limit step of Claim, in its write transaction:
// the claimed deliveries of each endpoint with a rate limit, in claim
// order, take their tokens from the endpoint's rate row as
// store.RateState.Take says; those over the limit go back to pending, lease
// cleared, with scheduled_for and next_retry_at at their token time, or
// store.RateHorizon after now when that is sooner (RateTake.DeferredAt). It
// returns the claimed deliveries to send, in claim order. A claim without
// limited endpoints reads and writes nothing.
func paceLimited(ctx context.Context, tx execer, claimed []store.Claimed, now time.Time) ([]store.Claimed, error) {
	wanted := make(map[int64]int)
	var limited []int64 // endpoint IDs, in first-claimed order
	for _, c := range claimed {
		if c.Endpoint.RateLimitPerSecond <= 0 {
			continue
		}
		if wanted[c.Endpoint.ID] == 0 {
			limited = append(limited, c.Endpoint.ID)
		}
		wanted[c.Endpoint.ID]++
	}
	if len(limited) == 0 {
		return claimed, nil
	}
	now = time.UnixMicro(micros(now))
	takes := make(map[int64]store.RateTake, len(limited))
	for _, id := range limited {
		limit := 0
		for _, c := range claimed {
			if c.Endpoint.ID == id {
				limit = c.Endpoint.RateLimitPerSecond
				break
			}
		}
		state, err := readRateState(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		take, next := state.Take(limit, wanted[id], now)
		if err := writeRateState(ctx, tx, id, next); err != nil {
			return nil, err
		}
		takes[id] = take
	}
	type deferral struct {
		ID int64 `json:"id"`
		At int64 `json:"at"`
	}
	var deferred []deferral
	send := claimed[:0:0]
	rank := make(map[int64]int)
	for i, c := range claimed {
		take, ok := takes[c.Endpoint.ID]
		if !ok {
			send = append(send, c)
			continue
		}
		r := rank[c.Endpoint.ID]
		rank[c.Endpoint.ID]++
		if r < take.Admitted {
			send = append(send, c)
			continue
		}
		at := take.DeferredAt(r - take.Admitted)
		claimed[i].Delivery.ScheduledFor = at // as stored
		deferred = append(deferred, deferral{c.Delivery.ID, micros(at)})
	}
	if len(deferred) > 0 {
		const q = `
			UPDATE webhook_deliveries SET
				status = 'pending', lease_expires_at = NULL, locked_by = NULL,
				scheduled_for = x.value ->> 'at', next_retry_at = x.value ->> 'at'
			FROM json_each(?) AS x
			WHERE webhook_deliveries.id = x.value ->> 'id'`
		if _, err := tx.ExecContext(ctx, q, jsonText(deferred)); err != nil {
			return nil, fmt.Errorf("defer deliveries over the rate limit: %w", err)
		}
	}
	return send, nil
}

// rateStateColumns selects a hookrelay_endpoint_rates row in rateStateDest
// order; a NULL time reads as the Unix epoch, which acts as no time.
const rateStateColumns = `coalesce(tat, 0), coalesce(deferred_until, 0), slow_level,
	coalesce(slowed_at, 0), coalesce(slow_until, 0)`

func rateStateDest(s *store.RateState) []any {
	return []any{timeCol{&s.TAT}, timeCol{&s.DeferredUntil}, &s.SlowLevel, timeCol{&s.SlowedAt}, timeCol{&s.SlowUntil}}
}

// readRateState returns the rate state of endpoint id, the zero state when
// it has no row.
func readRateState(ctx context.Context, tx execer, id int64) (store.RateState, error) {
	rows, err := tx.QueryContext(ctx,
		`SELECT `+rateStateColumns+` FROM hookrelay_endpoint_rates WHERE webhook_id = ?`, id)
	state, err := queryOne(rows, err, rateStateDest)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.RateState{}, fmt.Errorf("read the rate state of endpoint %d: %w", id, err)
	}
	return state, nil
}

// writeRateState stores the rate state of endpoint id.
func writeRateState(ctx context.Context, tx execer, id int64, s store.RateState) error {
	const q = `
		INSERT INTO hookrelay_endpoint_rates (webhook_id, tat, deferred_until, slow_level, slowed_at, slow_until)
		VALUES (:id, :tat, :deferred_until, :slow_level, :slowed_at, :slow_until)
		ON CONFLICT (webhook_id) DO UPDATE SET
			tat = excluded.tat, deferred_until = excluded.deferred_until, slow_level = excluded.slow_level,
			slowed_at = excluded.slowed_at, slow_until = excluded.slow_until`
	_, err := tx.ExecContext(ctx, q, sql.Named("id", id), sql.Named("tat", micros(s.TAT)),
		sql.Named("deferred_until", micros(s.DeferredUntil)), sql.Named("slow_level", s.SlowLevel),
		sql.Named("slowed_at", micros(s.SlowedAt)), sql.Named("slow_until", micros(s.SlowUntil)))
	if err != nil {
		return fmt.Errorf("write the rate state of endpoint %d: %w", id, err)
	}
	return nil
}

// slowDown lowers the rate of each endpoint of ids that has a rate limit, as
// store.RateState.SlowDown says; an endpoint without a limit is left alone.
func slowDown(ctx context.Context, tx execer, ids []int64, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `
		SELECT id FROM webhooks
		WHERE id IN (SELECT value FROM json_each(?)) AND rate_limit_per_second > 0
		ORDER BY id`, jsonText(ids))
	limited, err := queryAll(rows, err, func(id *int64) []any { return []any{id} })
	if err != nil {
		return fmt.Errorf("slow down endpoints: %w", err)
	}
	now = time.UnixMicro(micros(now))
	for _, id := range limited {
		state, err := readRateState(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := writeRateState(ctx, tx, id, state.SlowDown(now)); err != nil {
			return err
		}
	}
	return nil
}
