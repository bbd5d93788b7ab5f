-- name: CreateOrder :one
INSERT INTO orders (customer, total_cents)
VALUES ($1, $2)
RETURNING id, customer, total_cents;

-- name: CountOrders :one
SELECT count(*) FROM orders;
