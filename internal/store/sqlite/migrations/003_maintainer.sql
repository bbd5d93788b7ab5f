-- The maintainer's lease: at most one row, that of the process that rescues
-- expired leases and deletes old deliveries for every process sharing this
-- file (see Store.TryMaintain). holder names the process for people; token
-- identifies one holding; expires_at (microseconds since the Unix epoch) is
-- when another process may take over unless the holder renews it first.
CREATE TABLE hookrelay_maintainer (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    holder     TEXT NOT NULL,
    token      TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
