-- Per-endpoint rate limits (store.Endpoint.RateLimitPerSecond): the limit on
-- the endpoint, and the state every worker of every process draws its
-- tokens from, taken by the claim in the claim's own transaction.
--
-- 0, the default, is no limit: rows that another program inserts (Ackify
-- CE's) and rows of earlier releases are unlimited.
ALTER TABLE webhooks ADD COLUMN IF NOT EXISTS rate_limit_per_second INT NOT NULL DEFAULT 0
    CHECK (rate_limit_per_second >= 0);

COMMENT ON COLUMN webhooks.rate_limit_per_second IS 'Requests started per second at most, across every worker; 0 is no limit';

-- One row per endpoint that a limited claim or a slow-down has touched (see
-- store.RateState): tat is GCRA's theoretical arrival time, deferred_until
-- the token time of the last delivery put back to wait; the rate is halved
-- slow_level times until slow_until, last halved at slowed_at.
CREATE TABLE IF NOT EXISTS hookrelay_endpoint_rates (
    webhook_id     BIGINT PRIMARY KEY REFERENCES webhooks (id) ON DELETE CASCADE,
    tat            TIMESTAMPTZ,
    deferred_until TIMESTAMPTZ,
    slow_level     INT NOT NULL DEFAULT 0,
    slowed_at      TIMESTAMPTZ,
    slow_until     TIMESTAMPTZ
);

-- hookrelay_rate_take is store.RateState.Take in SQL: it locks the rate row
-- of endpoint p_webhook_id (creating it when missing), admits up to p_wanted
-- deliveries at p_limit per second at p_now, stores the new state, and
-- returns how many it admitted, the token time of the first one over the
-- limit, and the time between two tokens in microseconds. Claims call it
-- once per limited endpoint, in endpoint order, so that two claims lock rows
-- in the same order.
CREATE OR REPLACE FUNCTION hookrelay_rate_take(
    p_webhook_id BIGINT, p_limit INT, p_wanted INT, p_now TIMESTAMPTZ,
    OUT admitted INT, OUT first_deferred TIMESTAMPTZ, OUT step_us BIGINT)
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
    start := greatest(coalesce(r.tat, p_now), p_now);
    admitted := least(p_wanted, greatest(0,
        (win_us - (extract(epoch FROM start - p_now) * 1000000)::bigint) / step_us));
    new_tat := start + admitted * step_us * interval '1 microsecond';
    base := greatest(new_tat - win_us * interval '1 microsecond', r.deferred_until);
    first_deferred := base + step_us * interval '1 microsecond';
    UPDATE hookrelay_endpoint_rates SET
        tat = new_tat,
        deferred_until = CASE WHEN p_wanted > admitted
            THEN base + (p_wanted - admitted) * step_us * interval '1 microsecond'
            ELSE deferred_until END
    WHERE webhook_id = p_webhook_id;
END;
$$;
