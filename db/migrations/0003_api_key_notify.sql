-- Every API process keeps the keys it has checked in memory; a key revoked, changed or deleted in any
-- process, or at the command line, is announced on this channel so that every process forgets it at once.
CREATE FUNCTION api_key_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('tiede_api_keys', OLD.key_hash);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER api_key_changed AFTER UPDATE OF revoked_at, role, key_hash, org_id OR DELETE ON api_keys
  FOR EACH ROW EXECUTE FUNCTION api_key_changed();
