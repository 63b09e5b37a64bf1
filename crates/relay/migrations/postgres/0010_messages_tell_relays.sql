-- PostgreSQL only: every relay, the writer included, learns of a logged message or a status change from the
-- transaction that makes it, in commit order. A relay killed right after a commit cannot take the news with it,
-- and an event read back after a later one cannot leave a stream with a stale status.
CREATE FUNCTION sidechat_tell_relays() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status
            OR NEW.error_code IS DISTINCT FROM OLD.error_code THEN
        PERFORM pg_notify('sidechat_events', json_build_object(
            'workspace', NEW.workspace_id,
            'contact', NEW.contact,
            'kind', CASE WHEN TG_OP = 'INSERT' THEN 'message' ELSE 'status' END,
            'id', NEW.id)::text);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER messages_tell_relays AFTER INSERT OR UPDATE ON messages
    FOR EACH ROW EXECUTE FUNCTION sidechat_tell_relays();
