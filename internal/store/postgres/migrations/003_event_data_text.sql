-- An event's data is kept as the text that was published, byte for byte:
-- JSONB reorders keys, drops duplicates, rewrites escapes and numbers and adds
-- spaces, so receivers got something else than the producer sent. The
-- validation at publish time (store.CheckEventData) still refuses what the
-- seed's webhook_deliveries.payload, which stays JSONB for other readers,
-- cannot hold. Events stored before keep the text of their JSONB value.

ALTER TABLE webhook_events
    ALTER COLUMN data DROP DEFAULT,
    ALTER COLUMN data TYPE TEXT USING data::text,
    ALTER COLUMN data SET DEFAULT '{}';

COMMENT ON COLUMN webhook_events.data IS 'The event''s JSON data, exactly as published';
