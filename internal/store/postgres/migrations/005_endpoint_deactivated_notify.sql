-- Workers hold claimed deliveries of an endpoint in memory for a moment
-- before they send them. So that none of them starts once the endpoint is
-- disabled or deleted, by whatever program, every such change notifies the
-- hookrelay_endpoints channel with the endpoint's id when it commits.
CREATE OR REPLACE FUNCTION hookrelay_notify_endpoint_deactivated() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('hookrelay_endpoints', OLD.id::text);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS hookrelay_endpoint_deactivated ON webhooks;
CREATE TRIGGER hookrelay_endpoint_deactivated
    AFTER UPDATE OF active ON webhooks
    FOR EACH ROW WHEN (OLD.active AND NOT NEW.active)
    EXECUTE FUNCTION hookrelay_notify_endpoint_deactivated();

DROP TRIGGER IF EXISTS hookrelay_endpoint_deleted ON webhooks;
CREATE TRIGGER hookrelay_endpoint_deleted
    AFTER DELETE ON webhooks
    FOR EACH ROW WHEN (OLD.active)
    EXECUTE FUNCTION hookrelay_notify_endpoint_deactivated();
