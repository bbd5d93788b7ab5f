-- The event-type catalog (store.EventType): the types publishers send, with
-- a description, an optional JSON Schema for their data and an example, both
-- kept as the text given (the service checks them). Times are microseconds
-- since the Unix epoch. A new table: nothing of an earlier release changes.
CREATE TABLE hookrelay_event_types (
    name        TEXT PRIMARY KEY,
    description TEXT NOT NULL DEFAULT '',
    schema      TEXT,
    example     TEXT,
    deprecated  INTEGER NOT NULL DEFAULT 0 CHECK (deprecated IN (0, 1)),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
