-- Trace context: the W3C traceparent and tracestate of the request that
-- published an event, so that every attempt of its deliveries continues that
-- trace. Nullable: events written before have none.
ALTER TABLE webhook_events ADD COLUMN traceparent TEXT;
ALTER TABLE webhook_events ADD COLUMN tracestate TEXT;
