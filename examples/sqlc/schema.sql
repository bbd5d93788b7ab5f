-- The application's own table. hookrelay's tables are created by
-- hookrelay.NewPostgresSQL (its migrations), not here.
CREATE TABLE IF NOT EXISTS orders (
    id          bigserial PRIMARY KEY,
    customer    text      NOT NULL,
    total_cents bigint    NOT NULL
);
