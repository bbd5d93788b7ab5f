-- Trace context: the W3C traceparent and tracestate of the request that
-- published an event, so that every attempt of its deliveries, retries
-- hours later and after a restart included, continues that trace.
--
-- Both columns are nullable and have no default, so adding them rewrites no
-- row; events written before, or by another program (Ackify CE), have none.
ALTER TABLE webhook_events ADD COLUMN IF NOT EXISTS traceparent TEXT;
ALTER TABLE webhook_events ADD COLUMN IF NOT EXISTS tracestate TEXT;
