-- Per-endpoint rate limits (store.Endpoint.RateLimitPerSecond): the limit on
-- the endpoint (0, the default, is no limit, so rows of earlier releases
-- are unlimited) and the state every worker draws its tokens from, taken by
-- the claim in the claim's own transaction.
ALTER TABLE webhooks ADD COLUMN rate_limit_per_second INTEGER NOT NULL DEFAULT 0
    CHECK (rate_limit_per_second >= 0);

-- One row per endpoint that a limited claim or a slow-down has touched (see
-- store.RateState), times in microseconds since the Unix epoch: tat is
-- GCRA's theoretical arrival time, deferred_until the token time of the last
-- delivery put back to wait; the rate is halved slow_level times until
-- slow_until, last halved at slowed_at.
CREATE TABLE hookrelay_endpoint_rates (
    webhook_id     INTEGER PRIMARY KEY REFERENCES webhooks (id) ON DELETE CASCADE,
    tat            INTEGER,
    deferred_until INTEGER,
    slow_level     INTEGER NOT NULL DEFAULT 0,
    slowed_at      INTEGER,
    slow_until     INTEGER
);
