-- hookrelay_rate_take defers no delivery further than a horizon ahead
-- (store.RateHorizon, given as p_horizon_us): deferred_until stays within
-- it, and so the rate is recomputed every horizon. The old signature is
-- replaced; no data changes.
DROP FUNCTION IF EXISTS hookrelay_rate_take(BIGINT, INT, INT, TIMESTAMPTZ);

CREATE OR REPLACE FUNCTION hookrelay_rate_take(
    p_webhook_id BIGINT, p_limit INT, p_wanted INT, p_now TIMESTAMPTZ, p_horizon_us BIGINT,
    OUT admitted INT, OUT first_deferred TIMESTAMPTZ, OUT step_us BIGINT, OUT horizon TIMESTAMPTZ)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    r       hookrelay_endpoint_rates;
    lvl     INT := 0;
    burst   INT;
    win_us  BIGINT;
    start   TIMESTAMPTZ;
    new_tat TIMESTAMPTZ;
    base    TIMESTAMPTZ;
BEGIN
    SELECT * INTO r FROM hookrelay_endpoint_rates WHERE webhook_id = p_webhook_id FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO hookrelay_endpoint_rates (webhook_id) VALUES (p_webhook_id) ON CONFLICT DO NOTHING;
        SELECT * INTO r FROM hookrelay_endpoint_rates WHERE webhook_id = p_webhook_id FOR UPDATE;
    END IF;
    IF r.slow_until > p_now THEN
        lvl := r.slow_level;
    END IF;
    step_us := ((1000000::bigint << lvl) + p_limit - 1) / p_limit;
    burst := greatest(1, p_limit >> lvl);
    win_us := burst * step_us;
    horizon := p_now + p_horizon_us * interval '1 microsecond';
    start := greatest(coalesce(r.tat, p_now), p_now);
    admitted := least(p_wanted, greatest(0,
        (win_us - (extract(epoch FROM start - p_now) * 1000000)::bigint) / step_us));
    new_tat := start + admitted * step_us * interval '1 microsecond';
    base := greatest(new_tat - win_us * interval '1 microsecond', r.deferred_until);
    first_deferred := base + step_us * interval '1 microsecond';
    UPDATE hookrelay_endpoint_rates SET
        tat = new_tat,
        deferred_until = CASE WHEN p_wanted > admitted
            THEN least(horizon, base + (p_wanted - admitted) * step_us * interval '1 microsecond')
            ELSE deferred_until END
    WHERE webhook_id = p_webhook_id;
END;
$$;
