-- The event-type catalog (store.EventType): the types publishers send, with
-- a description, an optional JSON Schema for their data and an example, both
-- kept as the text given (the service checks them). Names sort in byte
-- order (COLLATE "C"), as SQLite's do, so that both stores page alike. A new
-- table: nothing of an earlier release changes.
CREATE TABLE hookrelay_event_types (
    name        TEXT COLLATE "C" PRIMARY KEY,
    description TEXT NOT NULL DEFAULT '',
    schema      TEXT,
    example     TEXT,
    deprecated  BOOLEAN NOT NULL DEFAULT false,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
