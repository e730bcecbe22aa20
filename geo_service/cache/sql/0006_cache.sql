-- Response cache (docs/cache.md): answers of the read-only analytic and tile endpoints, kept
-- until the data they were computed from change.
--
-- data_version: one row, bumped once by every transaction that writes a data table. The bump
-- runs at COMMIT (a deferred constraint trigger on a marker row), so writers do not queue on
-- that row for the length of their transaction: an import holds it for milliseconds.
CREATE TABLE data_version (
    id boolean PRIMARY KEY DEFAULT true CONSTRAINT data_version_one_row CHECK (id),
    version bigint NOT NULL DEFAULT 1,
    changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO data_version DEFAULT VALUES;

-- One marker row per writing transaction, deleted again by its own commit trigger.
CREATE TABLE data_change_marks (
    txid bigint PRIMARY KEY
);

-- Statement triggers. A statement that changed no row (an import re-sending unchanged rows:
-- the upserts skip them) leaves the version, and so every cached answer, alone.
CREATE FUNCTION data_change_mark() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF coalesce(current_setting('geo.data_changed', true), '') = '' THEN
        INSERT INTO data_change_marks (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING;
        PERFORM set_config('geo.data_changed', 'yes', true);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION data_change_mark_rows() RETURNS trigger
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

CREATE FUNCTION data_version_bump() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE data_version SET version = version + 1, changed_at = clock_timestamp();
    DELETE FROM data_change_marks WHERE txid = NEW.txid;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER data_version_bump
    AFTER INSERT ON data_change_marks DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION data_version_bump();

-- Every table an answer can be computed from. Not: audit_log, users (who may ask is checked
-- on every request before the cache), the cache's own tables. A trigger with a transition
-- table serves one event, hence one per event.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['units', 'key_areas', 'schools', 'houses', 'hazard_categories',
                             'hazards', 'incidents', 'roads', 'addresses', 'inspections',
                             'review_visits', 'route_plans', 'route_plan_routes',
                             'route_plan_stops', 'meta']
    LOOP
        EXECUTE format('CREATE TRIGGER data_change_mark_ins AFTER INSERT ON %I '
                       'REFERENCING NEW TABLE AS changed FOR EACH STATEMENT '
                       'EXECUTE FUNCTION data_change_mark_rows()', t);
        EXECUTE format('CREATE TRIGGER data_change_mark_upd AFTER UPDATE ON %I '
                       'REFERENCING NEW TABLE AS changed FOR EACH STATEMENT '
                       'EXECUTE FUNCTION data_change_mark_rows()', t);
        EXECUTE format('CREATE TRIGGER data_change_mark_del AFTER DELETE ON %I '
                       'REFERENCING OLD TABLE AS changed FOR EACH STATEMENT '
                       'EXECUTE FUNCTION data_change_mark_rows()', t);
        EXECUTE format('CREATE TRIGGER data_change_mark AFTER TRUNCATE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION data_change_mark()', t);
    END LOOP;
END
$$;

-- UNLOGGED: a cache, rebuilt on demand; a crash empties it instead of replaying it.
CREATE UNLOGGED TABLE response_cache (
    key text PRIMARY KEY,
    version bigint NOT NULL,
    status smallint NOT NULL,
    media_type text,
    headers jsonb NOT NULL DEFAULT '{}',
    body bytea NOT NULL,
    reads_incidents boolean NOT NULL DEFAULT false,
    compute_ms real,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_response_cache_version ON response_cache (version);
-- lz4 where the server was built with it: storing a 2 MB tile takes ~30 ms, pglz ~70 ms.
DO $$
BEGIN
    ALTER TABLE response_cache ALTER COLUMN body SET COMPRESSION lz4;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'response_cache.body keeps the default compression: %', SQLERRM;
END
$$;

-- The API roles reach the cache only through these two functions (keys are built by the
-- service from the caller's role and scope, so one role's answer never reaches another).
-- The current data version, and the answer cached under `p_key` for it (NULLs: none).
CREATE FUNCTION cache_get(p_key text)
RETURNS TABLE (version bigint, status smallint, media_type text, headers jsonb, body bytea,
               reads_incidents boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT v.version, c.status, c.media_type, c.headers, c.body, c.reads_incidents
    FROM data_version v
    LEFT JOIN response_cache c ON c.key = p_key AND c.version = v.version
$$;

CREATE FUNCTION cache_put(p_key text, p_version bigint, p_status smallint, p_media_type text,
                          p_headers jsonb, p_body bytea, p_reads_incidents boolean,
                          p_compute_ms real, p_max_bytes bigint)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    -- Answers of older data are never served again.
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
REVOKE ALL ON FUNCTION data_change_mark() FROM PUBLIC;
REVOKE ALL ON FUNCTION data_change_mark_rows() FROM PUBLIC;
REVOKE ALL ON FUNCTION data_version_bump() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cache_get(text) TO geo_api;
GRANT EXECUTE ON FUNCTION cache_put(text, bigint, smallint, text, jsonb, bytea, boolean, real, bigint)
    TO geo_api;
GRANT SELECT ON data_version TO geo_api;
