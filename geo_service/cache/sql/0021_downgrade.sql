-- Back to one data version for every answer (migration 0006's functions and triggers).
-- Migrations run in one transaction: the versions earlier ones bumped are bumped now, so the
-- marks table has no pending commit events while it is altered.
SET CONSTRAINTS data_version_bump IMMEDIATE;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['houses', 'hazards', 'house_versions'] LOOP
        EXECUTE format('DROP TRIGGER data_change_mark_ins ON %I', t);
        EXECUTE format('DROP TRIGGER data_change_mark_upd ON %I', t);
        EXECUTE format('DROP TRIGGER data_change_mark_del ON %I', t);
        EXECUTE format('CREATE TRIGGER data_change_mark_ins AFTER INSERT ON %I '
                       'REFERENCING NEW TABLE AS changed FOR EACH STATEMENT '
                       'EXECUTE FUNCTION data_change_mark_rows()', t);
        EXECUTE format('CREATE TRIGGER data_change_mark_upd AFTER UPDATE ON %I '
                       'REFERENCING NEW TABLE AS changed FOR EACH STATEMENT '
                       'EXECUTE FUNCTION data_change_mark_rows()', t);
        EXECUTE format('CREATE TRIGGER data_change_mark_del AFTER DELETE ON %I '
                       'REFERENCING OLD TABLE AS changed FOR EACH STATEMENT '
                       'EXECUTE FUNCTION data_change_mark_rows()', t);
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION data_change_mark() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF coalesce(current_setting('geo.data_changed', true), '') = '' THEN
        INSERT INTO data_change_marks (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING;
        PERFORM set_config('geo.data_changed', 'yes', true);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION data_change_mark_rows() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF coalesce(current_setting('geo.data_changed', true), '') = '' THEN
        IF EXISTS (SELECT 1 FROM changed) THEN
            INSERT INTO data_change_marks (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING;
            PERFORM set_config('geo.data_changed', 'yes', true);
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION data_version_bump() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE data_version SET version = version + 1, changed_at = clock_timestamp();
    DELETE FROM data_change_marks WHERE txid = NEW.txid;
    RETURN NULL;
END
$$;

DROP FUNCTION cache_get(text);
CREATE FUNCTION cache_get(p_key text)
RETURNS TABLE (version bigint, status smallint, media_type text, headers jsonb, body bytea,
               reads_incidents boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT v.version, c.status, c.media_type, c.headers, c.body, c.reads_incidents
    FROM data_version v
    LEFT JOIN response_cache c ON c.key = p_key AND c.version = v.version
$$;

DROP FUNCTION cache_put(text, bigint, smallint, text, jsonb, bytea, boolean, real, bigint,
                        double precision[], integer[]);
CREATE FUNCTION cache_put(p_key text, p_version bigint, p_status smallint, p_media_type text,
                          p_headers jsonb, p_body bytea, p_reads_incidents boolean,
                          p_compute_ms real, p_max_bytes bigint)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    DELETE FROM response_cache WHERE version < p_version;
    IF pg_total_relation_size('response_cache') > p_max_bytes THEN
        DELETE FROM response_cache WHERE key IN (
            SELECT key FROM response_cache ORDER BY created_at
            LIMIT greatest(1, (SELECT count(*) / 2 FROM response_cache)));
    END IF;
    INSERT INTO response_cache AS c (key, version, status, media_type, headers, body,
                                     reads_incidents, compute_ms)
    VALUES (p_key, p_version, p_status, p_media_type, p_headers, p_body, p_reads_incidents,
            p_compute_ms)
    ON CONFLICT (key) DO UPDATE
        SET version = excluded.version, status = excluded.status,
            media_type = excluded.media_type, headers = excluded.headers, body = excluded.body,
            reads_incidents = excluded.reads_incidents, compute_ms = excluded.compute_ms,
            created_at = now()
        WHERE c.version <= excluded.version;
END
$$;
REVOKE ALL ON FUNCTION cache_get(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION cache_put(text, bigint, smallint, text, jsonb, bytea, boolean, real, bigint)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cache_get(text) TO geo_api;
GRANT EXECUTE ON FUNCTION cache_put(text, bigint, smallint, text, jsonb, bytea, boolean, real, bigint)
    TO geo_api;

DROP FUNCTION cache_entry_valid(bigint, double precision[], integer[], bigint);
DROP FUNCTION data_change_mark_houses();
DROP FUNCTION data_change_mark_by_house();
DROP FUNCTION data_change_note(boolean, double precision[], integer[]);
ALTER TABLE response_cache DROP COLUMN bounds, DROP COLUMN unit_ids;
ALTER TABLE data_change_marks DROP COLUMN is_global, DROP COLUMN extent, DROP COLUMN unit_ids;
DROP TABLE data_changes;
DROP FUNCTION data_changes_kept();
DROP FUNCTION boxes_meet(double precision[], double precision[]);
DROP FUNCTION lonlat_box(box2d);

SET CONSTRAINTS data_version_bump DEFERRED;
