-- Several hookrelay databases may live in one PostgreSQL database, a schema
-- each, and NOTIFY channels are per database: migration 005's trigger
-- function now names the schema of the endpoint it announces
-- ("schema:id"), so that a listener ignores the endpoints of other schemas.
CREATE OR REPLACE FUNCTION hookrelay_notify_endpoint_deactivated() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('hookrelay_endpoints', TG_TABLE_SCHEMA || ':' || OLD.id::text);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
