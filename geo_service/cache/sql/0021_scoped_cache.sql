-- Scoped invalidation (docs/cache.md): a change to some houses, their hazards or their history
-- no longer throws away the answers about other places and other units.
--
-- Each writing transaction still bumps data_version once, at its commit, and now also records
-- its footprint in data_changes: the box around every house point it touched (before and after)
-- and the units of those houses; a change to any other table, or one whose houses cannot be
-- found, is global. An answer kept with a scope (a box: tiles, bbox feature pages; units: one
-- unit's lists) stays valid across later versions while no change since its own version is
-- global or touches its scope (its box and its units). Unscoped answers behave as before.

-- Changes are kept for the last CHANGES_KEPT versions only (the bump deletes older ones); an
-- entry older than that is a miss, so a pruned change can never make a stale answer look valid.
-- Migrations run in one transaction: the versions earlier ones bumped are bumped now, so the
-- marks table has no pending commit events while it is altered.
SET CONSTRAINTS data_version_bump IMMEDIATE;

CREATE FUNCTION data_changes_kept() RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT 5000::bigint';

CREATE TABLE data_changes (
    version bigint PRIMARY KEY,
    is_global boolean NOT NULL,
    extent double precision[],  -- {west, south, east, north} of the touched house points
                                -- (NULL: none had a point)
    unit_ids integer[]
);

ALTER TABLE data_change_marks
    ADD COLUMN is_global boolean NOT NULL DEFAULT true,
    ADD COLUMN extent double precision[],
    ADD COLUMN unit_ids integer[];

ALTER TABLE response_cache
    ADD COLUMN bounds double precision[],  -- the answer reads only records inside this box
    ADD COLUMN unit_ids integer[];  -- … and only records of these units

-- Merge one statement's footprint into its transaction's mark. Once global, nothing to add.
-- Boxes are {west, south, east, north} in lon/lat: plain numbers, compared exactly.
CREATE FUNCTION lonlat_box(b box2d) RETURNS double precision[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN b IS NOT NULL THEN ARRAY[ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b)] END
$$;

CREATE FUNCTION boxes_meet(a double precision[], b double precision[]) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT a[1] <= b[3] AND b[1] <= a[3] AND a[2] <= b[4] AND b[2] <= a[4]
$$;

CREATE FUNCTION data_change_note(p_global boolean, p_extent double precision[],
                                 p_units integer[])
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF coalesce(current_setting('geo.data_changed', true), '') = 'global' THEN
        RETURN;
    END IF;
    INSERT INTO data_change_marks AS m (txid, is_global, extent, unit_ids)
    VALUES (txid_current(), p_global, CASE WHEN NOT p_global THEN p_extent END,
            CASE WHEN NOT p_global THEN p_units END)
    ON CONFLICT (txid) DO UPDATE SET
        is_global = m.is_global OR excluded.is_global,
        extent = CASE WHEN NOT (m.is_global OR excluded.is_global) THEN
            CASE WHEN m.extent IS NULL THEN excluded.extent
                 WHEN excluded.extent IS NULL THEN m.extent
                 ELSE ARRAY[least(m.extent[1], excluded.extent[1]),
                            least(m.extent[2], excluded.extent[2]),
                            greatest(m.extent[3], excluded.extent[3]),
                            greatest(m.extent[4], excluded.extent[4])] END END,
        unit_ids = CASE WHEN NOT (m.is_global OR excluded.is_global) THEN
            ARRAY(SELECT DISTINCT u FROM unnest(m.unit_ids || excluded.unit_ids) u
                  WHERE u IS NOT NULL ORDER BY u) END;
    PERFORM set_config('geo.data_changed', CASE WHEN p_global THEN 'global' ELSE 'local' END,
                       true);
END
$$;

CREATE OR REPLACE FUNCTION data_change_mark() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM data_change_note(true, NULL, NULL);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION data_change_mark_rows() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF coalesce(current_setting('geo.data_changed', true), '') <> 'global'
       AND EXISTS (SELECT 1 FROM changed) THEN
        PERFORM data_change_note(true, NULL, NULL);
    END IF;
    RETURN NULL;
END
$$;

-- houses: the points and units of the rows before and after the statement.
CREATE FUNCTION data_change_mark_houses() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    n bigint;
    box double precision[];
    units integer[];
BEGIN
    IF coalesce(current_setting('geo.data_changed', true), '') = 'global' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        SELECT count(*), lonlat_box(ST_Extent(geom)), array_agg(DISTINCT unit_id)
        INTO n, box, units
        FROM (SELECT geom, unit_id FROM changed UNION ALL SELECT geom, unit_id FROM changed_old) r;
    ELSE
        SELECT count(*), lonlat_box(ST_Extent(geom)), array_agg(DISTINCT unit_id)
        INTO n, box, units
        FROM changed;
    END IF;
    IF n > 0 THEN
        PERFORM data_change_note(false, box, units);
    END IF;
    RETURN NULL;
END
$$;

-- hazards, house_versions: through their houses (a row whose house is gone: global).
CREATE FUNCTION data_change_mark_by_house() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    n bigint;
    lost bigint;
    box double precision[];
    units integer[];
BEGIN
    IF coalesce(current_setting('geo.data_changed', true), '') = 'global' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        SELECT count(*), count(*) FILTER (WHERE h.id IS NULL),
               lonlat_box(ST_Extent(h.geom)), array_agg(DISTINCT h.unit_id)
        INTO n, lost, box, units
        FROM (SELECT house_id FROM changed UNION SELECT house_id FROM changed_old) c
        LEFT JOIN houses h ON h.id = c.house_id;
    ELSE
        SELECT count(*), count(*) FILTER (WHERE h.id IS NULL),
               lonlat_box(ST_Extent(h.geom)), array_agg(DISTINCT h.unit_id)
        INTO n, lost, box, units
        FROM (SELECT DISTINCT house_id FROM changed) c
        LEFT JOIN houses h ON h.id = c.house_id;
    END IF;
    IF lost > 0 THEN
        PERFORM data_change_note(true, NULL, NULL);
    ELSIF n > 0 THEN
        PERFORM data_change_note(false, box, units);
    END IF;
    RETURN NULL;
END
$$;

DO $$
DECLARE
    t text;
    fn text;
BEGIN
    FOREACH t IN ARRAY ARRAY['houses', 'hazards', 'house_versions'] LOOP
        fn := CASE t WHEN 'houses' THEN 'data_change_mark_houses'
                     ELSE 'data_change_mark_by_house' END;
        EXECUTE format('DROP TRIGGER data_change_mark_ins ON %I', t);
        EXECUTE format('DROP TRIGGER data_change_mark_upd ON %I', t);
        EXECUTE format('DROP TRIGGER data_change_mark_del ON %I', t);
        EXECUTE format('CREATE TRIGGER data_change_mark_ins AFTER INSERT ON %I '
                       'REFERENCING NEW TABLE AS changed FOR EACH STATEMENT '
                       'EXECUTE FUNCTION %I()', t, fn);
        EXECUTE format('CREATE TRIGGER data_change_mark_upd AFTER UPDATE ON %I '
                       'REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed '
                       'FOR EACH STATEMENT EXECUTE FUNCTION %I()', t, fn);
        EXECUTE format('CREATE TRIGGER data_change_mark_del AFTER DELETE ON %I '
                       'REFERENCING OLD TABLE AS changed FOR EACH STATEMENT '
                       'EXECUTE FUNCTION %I()', t, fn);
    END LOOP;
END
$$;

-- At commit: the bump, the footprint under the new version, and the oldest changes go.
CREATE OR REPLACE FUNCTION data_version_bump() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v bigint;
    mark data_change_marks;
BEGIN
    SELECT * INTO mark FROM data_change_marks WHERE txid = NEW.txid;
    UPDATE data_version SET version = version + 1, changed_at = clock_timestamp()
    RETURNING version INTO v;
    INSERT INTO data_changes (version, is_global, extent, unit_ids)
    VALUES (v, coalesce(mark.is_global, true), mark.extent, mark.unit_ids);
    DELETE FROM data_changes WHERE version <= v - data_changes_kept();
    DELETE FROM data_change_marks WHERE txid = NEW.txid;
    RETURN NULL;
END
$$;

-- Whether the entry (its version, box, units) still answers for data version p_now.
CREATE FUNCTION cache_entry_valid(p_entry bigint, p_bounds double precision[],
                                  p_units integer[],
                                  p_now bigint)
RETURNS boolean
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT p_entry = p_now OR (
        (p_bounds IS NOT NULL OR p_units IS NOT NULL)
        AND p_entry < p_now AND p_entry > p_now - data_changes_kept()
        AND NOT EXISTS (
            SELECT 1 FROM data_changes d
            WHERE d.version > p_entry AND d.version <= p_now
              AND (d.is_global OR (
                  (p_bounds IS NULL OR coalesce(boxes_meet(d.extent, p_bounds), false))
                  AND (p_units IS NULL OR coalesce(d.unit_ids && p_units, false))))))
$$;

DROP FUNCTION cache_get(text);
-- version: the data version now (a computed answer is filed under it); entry_version: the one
-- the answer served was computed under (its ETag).
CREATE FUNCTION cache_get(p_key text)
RETURNS TABLE (version bigint, entry_version bigint, status smallint, media_type text,
               headers jsonb, body bytea, reads_incidents boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT v.version, c.version, c.status, c.media_type, c.headers, c.body, c.reads_incidents
    FROM data_version v
    LEFT JOIN response_cache c
        ON c.key = p_key AND cache_entry_valid(c.version, c.bounds, c.unit_ids, v.version)
$$;

DROP FUNCTION cache_put(text, bigint, smallint, text, jsonb, bytea, boolean, real, bigint);
CREATE FUNCTION cache_put(p_key text, p_version bigint, p_status smallint, p_media_type text,
                          p_headers jsonb, p_body bytea, p_reads_incidents boolean,
                          p_compute_ms real, p_max_bytes bigint,
                          p_bounds double precision[], p_units integer[])
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    -- Unscoped answers of older data are never served again, nor scoped ones older than the
    -- changes kept; a scoped answer a change did touch is replaced when it is next computed.
    DELETE FROM response_cache
    WHERE version < p_version
      AND ((bounds IS NULL AND unit_ids IS NULL) OR version <= p_version - data_changes_kept());
    IF pg_total_relation_size('response_cache') > p_max_bytes THEN
        DELETE FROM response_cache WHERE key IN (
            SELECT key FROM response_cache ORDER BY created_at
            LIMIT greatest(1, (SELECT count(*) / 2 FROM response_cache)));
    END IF;
    INSERT INTO response_cache AS c (key, version, status, media_type, headers, body,
                                     reads_incidents, compute_ms, bounds, unit_ids)
    VALUES (p_key, p_version, p_status, p_media_type, p_headers, p_body, p_reads_incidents,
            p_compute_ms,
            p_bounds,
            p_units)
    ON CONFLICT (key) DO UPDATE
        SET version = excluded.version, status = excluded.status,
            media_type = excluded.media_type, headers = excluded.headers, body = excluded.body,
            reads_incidents = excluded.reads_incidents, compute_ms = excluded.compute_ms,
            bounds = excluded.bounds, unit_ids = excluded.unit_ids, created_at = now()
        WHERE c.version <= excluded.version;
END
$$;

REVOKE ALL ON FUNCTION cache_get(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION cache_put(text, bigint, smallint, text, jsonb, bytea, boolean, real, bigint,
                                 double precision[], integer[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION cache_entry_valid(bigint, double precision[], integer[], bigint)
    FROM PUBLIC;
REVOKE ALL ON FUNCTION data_change_note(boolean, double precision[], integer[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION data_change_mark_houses() FROM PUBLIC;
REVOKE ALL ON FUNCTION data_change_mark_by_house() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cache_get(text) TO geo_api;
GRANT EXECUTE ON FUNCTION cache_put(text, bigint, smallint, text, jsonb, bytea, boolean, real,
                                    bigint, double precision[], integer[]) TO geo_api;

SET CONSTRAINTS data_version_bump DEFERRED;
