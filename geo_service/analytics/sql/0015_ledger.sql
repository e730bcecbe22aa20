-- The event ledger of the per-unit analytics (docs/ledger.md): dated deltas per unit and the
-- dimensions the scores, the 附件2 table and the scope filters group by, kept by statement
-- triggers in the writing transaction. A figure as of D is the sum of the deltas with day <= D.
--
--   ledger_house_segments  the ledger's copy of each house's timeline: one row per version
--                          ([valid_from, valid_to), 'infinity' for the current one) with the
--                          unit, the key-area bits and the figures the ledger counts. Needed
--                          to take a house's old contribution out after houses, house_versions
--                          or key_areas changed (the old rows are gone by then).
--   ledger_houses          house figures: + at a version's valid_from, − at its valid_to
--   ledger_hazards         hazards: +1 in its (status, transferred) from the day it holds,
--                          −1 the day it stops holding; never before the house exists
--   ledger_hazard_units    the same summed over the filter-only dimensions
--   ledger_hazard_spans    each hazard's periods behind a 附件1 deduction (the codes on D)
--
-- Must agree with hazard_state(d) (0009_hazard_rules.sql), house_state(d) (0014) and
-- analytics/sql/_house_scope.sql: tests/test_ledger.py compares every unit, several days and
-- the filters, and `geo-service ledger check` does so on any database.

-- Key-area kinds as bits: a house's `areas` has the bit of every kind of key area containing
-- its point, and the rural_self_built bit also when the house is flagged 农村自建房 (SPEC §2,
-- as ScopeSql.key_areas). The scope's filter is `areas & ledger_area_mask(kinds) <> 0`.
CREATE FUNCTION ledger_area_bit(kind text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE kind WHEN 'urban_village' THEN 1 WHEN 'old_estate' THEN 2
                     WHEN 'resettlement_estate' THEN 4 WHEN 'rural_self_built' THEN 8
                     WHEN 'campus' THEN 16 ELSE 0 END
$$;

CREATE FUNCTION ledger_area_mask(kinds text[]) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(bit_or(ledger_area_bit(k)), 0) FROM unnest(kinds) k
$$;

CREATE TABLE ledger_house_segments (
    house_id integer NOT NULL,  -- no foreign key: read after the house is gone
    house_code text NOT NULL,
    valid_from date NOT NULL,
    valid_to date NOT NULL,
    unit_id integer NOT NULL,
    place smallint NOT NULL,    -- key-area bits of the point (not versioned)
    areas smallint NOT NULL,    -- place, plus the rural_self_built bit when self-built
    rooms integer NOT NULL,
    beds integer NOT NULL,
    tenants integer NOT NULL,
    registered_tenants integer NOT NULL,
    is_registered boolean NOT NULL,
    pledge_signed boolean NOT NULL,
    has_second_landlord boolean NOT NULL,
    second_landlord_registered boolean NOT NULL,
    cctv_installed boolean,
    cctv_retention_days integer,
    last_inspected_on date,
    PRIMARY KEY (house_id, valid_from)
);
-- 排查率 (inspected within a period, no running sum) reads the segments directly, index-only:
-- the houses last inspected in the period, and the houses of the period's inspections.
CREATE INDEX ix_ledger_segments_inspected ON ledger_house_segments (last_inspected_on)
    INCLUDE (valid_from, valid_to, house_id, unit_id, areas);
-- The houses behind a 附件1 deduction (unit_records_ledger.sql).
CREATE INDEX ix_ledger_segments_deducted ON ledger_house_segments (valid_to)
    INCLUDE (valid_from, unit_id, areas, house_code, is_registered, registered_tenants, tenants,
             has_second_landlord, second_landlord_registered, pledge_signed)
    WHERE NOT is_registered OR registered_tenants < tenants
       OR (has_second_landlord AND NOT second_landlord_registered) OR NOT pledge_signed;
CREATE INDEX ix_ledger_segments_house ON ledger_house_segments (house_id)
    INCLUDE (valid_from, valid_to, unit_id, areas, last_inspected_on);

CREATE TABLE ledger_houses (
    unit_id integer NOT NULL,
    day date NOT NULL,
    areas smallint NOT NULL,
    houses bigint NOT NULL,
    houses_registered bigint NOT NULL,
    tenants bigint NOT NULL,
    registered_tenants bigint NOT NULL,
    second_landlords bigint NOT NULL,
    second_landlords_registered bigint NOT NULL,
    houses_pledged bigint NOT NULL,
    cctv_required bigint NOT NULL,
    cctv_compliant bigint NOT NULL,
    PRIMARY KEY (unit_id, day, areas)
);

CREATE TABLE ledger_hazards (
    unit_id integer NOT NULL,
    day date NOT NULL,
    areas smallint NOT NULL,
    category text NOT NULL,
    severity text NOT NULL,
    department_id integer,       -- NULL: recorded for no department (as hazards)
    status text NOT NULL,        -- hazard_state's status on the day: open|overdue|rectified
    transferred boolean NOT NULL,
    n bigint NOT NULL,
    CONSTRAINT ledger_hazards_key UNIQUE NULLS NOT DISTINCT
        (unit_id, day, areas, category, severity, department_id, status, transferred)
);

-- The same hazard events without the filter dimensions (areas, severity, department): the
-- unfiltered question, the common one, sums a few ten thousand rows instead of a million.
CREATE TABLE ledger_hazard_units (
    unit_id integer NOT NULL,
    day date NOT NULL,
    category text NOT NULL,
    status text NOT NULL,
    transferred boolean NOT NULL,
    n bigint NOT NULL,
    PRIMARY KEY (unit_id, day, category, status, transferred)
);

-- The periods in which a hazard is behind a 附件1 deduction (not transferred, or not
-- rectified — overdue included): the codes behind each deduction on D are the spans covering
-- D (unit_records_ledger.sql), read index-only instead of every hazard state and house.
CREATE TABLE ledger_hazard_spans (
    hazard_id integer NOT NULL,
    house_id integer NOT NULL,
    unit_id integer NOT NULL,
    areas smallint NOT NULL,
    hazard_code text NOT NULL,
    category text NOT NULL,
    severity text NOT NULL,
    department_id integer,
    status text NOT NULL,
    transferred boolean NOT NULL,
    from_day date NOT NULL,
    to_day date NOT NULL           -- exclusive; 'infinity' while it lasts
);
CREATE INDEX ix_ledger_spans_day ON ledger_hazard_spans (to_day)
    INCLUDE (from_day, unit_id, areas, hazard_code, category, severity, department_id, status,
             transferred);
CREATE INDEX ix_ledger_spans_hazard ON ledger_hazard_spans (hazard_id);
CREATE INDEX ix_ledger_spans_house ON ledger_hazard_spans (house_id);

-- A house version's segment rows, from houses (current) and house_versions (earlier ones).
CREATE FUNCTION ledger_segments_of(ids integer[])
RETURNS SETOF ledger_house_segments
LANGUAGE sql STABLE AS $$
    SELECT h.id, h.house_code, h.valid_from, CAST('infinity' AS date), h.unit_id, 0,
           CASE WHEN h.is_self_built THEN ledger_area_bit('rural_self_built') ELSE 0 END,
           h.rooms, h.beds, h.tenants, h.registered_tenants, h.is_registered, h.pledge_signed,
           h.has_second_landlord, coalesce(h.second_landlord_registered, false),
           h.cctv_installed, h.cctv_retention_days, h.last_inspected_on
    FROM houses h WHERE ids IS NULL OR h.id = ANY (ids)
    UNION ALL
    SELECT h.id, h.house_code, v.valid_from, v.valid_to, h.unit_id, 0,
           CASE WHEN v.is_self_built THEN ledger_area_bit('rural_self_built') ELSE 0 END,
           v.rooms, v.beds, v.tenants, v.registered_tenants, v.is_registered, v.pledge_signed,
           v.has_second_landlord, coalesce(v.second_landlord_registered, false),
           v.cctv_installed, v.cctv_retention_days, v.last_inspected_on
    FROM house_versions v JOIN houses h ON h.id = v.house_id WHERE ids IS NULL OR v.house_id = ANY (ids)
$$;

-- A hazard's (status, transferred) on day d, exactly as hazard_state(d) defines them.
CREATE FUNCTION ledger_hazard_status(d date, due_on date, rectified_on date) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN rectified_on IS NOT NULL AND rectified_on <= d THEN 'rectified'
                WHEN d > due_on THEN 'overdue'
                ELSE 'open' END
$$;

CREATE FUNCTION ledger_hazard_transferred(
    d date, transferred_on date, posted boolean, entered boolean
) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT posted AND entered AND (transferred_on IS NULL OR transferred_on <= d)
$$;

-- One hazard's events within one segment of its house [seg_from, seg_to): it holds from
-- c = max(found_on, seg_from). At each point p where its state may change (c, the day after
-- the deadline, rectification, transfer, seg_to): +1 its state on p (while p < seg_to) and −1
-- its state on p − 1 (when p > c). Equal pairs cancel when summed.
CREATE FUNCTION ledger_hazard_events(
    found_on date, due_on date, rectified_on date, transferred_on date, posted boolean,
    entered boolean, seg_from date, seg_to date
) RETURNS TABLE (day date, status text, transferred boolean, n integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT p.d, e.status, e.transferred, e.n
    FROM (SELECT DISTINCT d
          FROM unnest(ARRAY[greatest(found_on, seg_from), due_on + 1, rectified_on,
                            transferred_on, seg_to]) d
          WHERE d >= greatest(found_on, seg_from) AND d <= seg_to AND d < 'infinity') p
    CROSS JOIN LATERAL (
        SELECT ledger_hazard_status(p.d, due_on, rectified_on),
               ledger_hazard_transferred(p.d, transferred_on, posted, entered), 1
        WHERE p.d < seg_to
        UNION ALL
        SELECT ledger_hazard_status(p.d - 1, due_on, rectified_on),
               ledger_hazard_transferred(p.d - 1, transferred_on, posted, entered), -1
        WHERE p.d > greatest(found_on, seg_from)
    ) e (status, transferred, n)
$$;

-- One hazard's spans within one segment of its house: from each point where its state may
-- change to the next (or seg_to), in the state it has there; only states behind a deduction.
CREATE FUNCTION ledger_hazard_spans_of(
    found_on date, due_on date, rectified_on date, transferred_on date, posted boolean,
    entered boolean, seg_from date, seg_to date
) RETURNS TABLE (from_day date, to_day date, status text, transferred boolean)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT * FROM (
        SELECT p.d, coalesce(lead(p.d) OVER (ORDER BY p.d), seg_to),
               ledger_hazard_status(p.d, due_on, rectified_on) AS status,
               ledger_hazard_transferred(p.d, transferred_on, posted, entered) AS transferred
        FROM (SELECT DISTINCT d
              FROM unnest(ARRAY[greatest(found_on, seg_from), due_on + 1, rectified_on,
                                transferred_on]) d
              WHERE d >= greatest(found_on, seg_from) AND d < seg_to) p
    ) s
    WHERE s.status <> 'rectified' OR NOT s.transferred
$$;

-- The statement adding hazard events (the %s: a query of ledger_hazards' columns) to both
-- hazard tables, each in key order.
CREATE FUNCTION ledger_hazards_upsert() RETURNS text
LANGUAGE sql IMMUTABLE AS $f$
    SELECT $q$
        WITH ev AS MATERIALIZED (%s), wide AS (
            INSERT INTO ledger_hazards AS l
            SELECT * FROM ev ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
            ON CONFLICT ON CONSTRAINT ledger_hazards_key DO UPDATE SET n = l.n + excluded.n
        )
        INSERT INTO ledger_hazard_units AS l
        SELECT unit_id, day, category, status, transferred, sum(n) FROM ev
        GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (unit_id, day, category, status, transferred)
            DO UPDATE SET n = l.n + excluded.n
    $q$
$f$;

-- The statement adding the spans of the hazards of relation %1$s (hazards' columns) that
-- satisfy %2$s.
CREATE FUNCTION ledger_spans_insert() RETURNS text
LANGUAGE sql IMMUTABLE AS $f$
    SELECT $q$
        INSERT INTO ledger_hazard_spans
        SELECT z.id, z.house_id, g.unit_id, g.areas, z.hazard_code, z.category, z.severity,
               z.department_id, e.status, e.transferred, e.from_day, e.to_day
        FROM %1$s z
        JOIN ledger_house_segments g ON g.house_id = z.house_id AND g.valid_to > z.found_on
        CROSS JOIN LATERAL ledger_hazard_spans_of(z.found_on, z.due_on, z.rectified_on,
                                                  z.transferred_on, z.posted_on_wall,
                                                  z.entered_in_system, g.valid_from,
                                                  g.valid_to) e
        WHERE %2$s
    $q$
$f$;

-- Add (sign 1) or take out (sign −1) the contribution of houses `ids` as their segments
-- stand now: their figures, and their hazards (as stored now) within the segments. Upserts in
-- key order, so concurrent writers queue on a row instead of deadlocking; one village's rows
-- are its own (unit_id leads every key).
CREATE FUNCTION ledger_apply_houses(
    ids integer[], sign integer, figures boolean DEFAULT true, hazards boolean DEFAULT true
) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    which text := CASE WHEN ids IS NULL THEN 'true' ELSE '%s = ANY ($1)' END;
BEGIN
    IF cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    IF figures THEN
        EXECUTE format($q$
            INSERT INTO ledger_houses AS l
            SELECT g.unit_id, e.day, g.areas, sum(e.s), sum(e.s * g.is_registered::int),
                   sum(e.s * g.tenants), sum(e.s * g.registered_tenants),
                   sum(e.s * g.has_second_landlord::int),
                   sum(e.s * (g.has_second_landlord AND g.second_landlord_registered)::int),
                   sum(e.s * g.pledge_signed::int), sum(e.s * c.required::int),
                   -- retention NULL counts as short (SPEC §3.4), never as unknown
                   sum(e.s * (c.required AND g.cctv_installed IS TRUE
                              AND coalesce(g.cctv_retention_days >= r.cctv_min_retention_days,
                                           false))::int)
            FROM ledger_house_segments g
            CROSS JOIN rule_params r
            CROSS JOIN LATERAL (
                SELECT (g.rooms >= r.cctv_min_rooms OR g.beds >= r.cctv_min_beds
                        OR g.tenants >= r.cctv_min_tenants) AS required
            ) c
            CROSS JOIN LATERAL (VALUES (g.valid_from, $2), (g.valid_to, -$2)) e (day, s)
            WHERE %s AND e.day < 'infinity'
            GROUP BY 1, 2, 3
            ORDER BY 1, 2, 3
            ON CONFLICT (unit_id, day, areas) DO UPDATE SET
                houses = l.houses + excluded.houses,
                houses_registered = l.houses_registered + excluded.houses_registered,
                tenants = l.tenants + excluded.tenants,
                registered_tenants = l.registered_tenants + excluded.registered_tenants,
                second_landlords = l.second_landlords + excluded.second_landlords,
                second_landlords_registered =
                    l.second_landlords_registered + excluded.second_landlords_registered,
                houses_pledged = l.houses_pledged + excluded.houses_pledged,
                cctv_required = l.cctv_required + excluded.cctv_required,
                cctv_compliant = l.cctv_compliant + excluded.cctv_compliant
        $q$, format(which, 'g.house_id')) USING ids, sign;
    END IF;
    IF NOT hazards THEN
        RETURN;
    END IF;
    EXECUTE format(ledger_hazards_upsert(), format($q$
        SELECT g.unit_id, e.day, g.areas, z.category, z.severity, z.department_id, e.status,
               e.transferred, sum($2 * e.n) AS n
        FROM hazards z
        JOIN ledger_house_segments g ON g.house_id = z.house_id AND g.valid_to > z.found_on
        CROSS JOIN LATERAL ledger_hazard_events(z.found_on, z.due_on, z.rectified_on,
                                                z.transferred_on, z.posted_on_wall,
                                                z.entered_in_system, g.valid_from,
                                                g.valid_to) e
        WHERE %s
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
        HAVING sum(e.n) <> 0
    $q$, format(which, 'z.house_id'))) USING ids, sign;
    IF sign < 0 THEN
        EXECUTE format('DELETE FROM ledger_hazard_spans WHERE %s', format(which, 'house_id'))
            USING ids;
    ELSE
        EXECUTE format(ledger_spans_insert(), 'hazards', format(which, 'z.house_id'))
            USING ids;
    END IF;
END
$$;

-- The segments of houses `ids` (NULL: all) from houses and house_versions; the key-area bits
-- of their point from `places` (house id → bits) where given, else by one spatial join (each
-- key area against the houses' index, not one look-up per house).
CREATE FUNCTION ledger_put_segments(ids integer[], places jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    which text := CASE WHEN ids IS NULL THEN 'true' ELSE '%s = ANY ($1)' END;
BEGIN
    EXECUTE format($q$
        INSERT INTO ledger_house_segments
        SELECT s.house_id, s.house_code, s.valid_from, s.valid_to, s.unit_id, p.place,
               p.place | s.areas,
               s.rooms, s.beds, s.tenants, s.registered_tenants, s.is_registered,
               s.pledge_signed, s.has_second_landlord, s.second_landlord_registered,
               s.cctv_installed, s.cctv_retention_days, s.last_inspected_on
        FROM ledger_segments_of($1) s
        JOIN (
            SELECT h.id, coalesce(CAST($2 ->> CAST(h.id AS text) AS smallint), f.place, 0)
                       AS place
            FROM houses h
            LEFT JOIN (
                SELECT h2.id, CAST(bit_or(ledger_area_bit(ka.kind)) AS smallint) AS place
                FROM houses h2 JOIN key_areas ka ON ST_Intersects(ka.geom, h2.geom)
                WHERE %s AND NOT $2 ? CAST(h2.id AS text)
                GROUP BY h2.id
            ) f ON f.id = h.id
            WHERE %s
        ) p ON p.id = s.house_id
        ORDER BY 1, 3
    $q$, format(which, 'h2.id'), format(which, 'h.id')) USING ids, places;
END
$$;

-- Re-read houses `ids` (their timeline, unit, key areas): take out what the ledger counted
-- for them, replace their segments, count them again. `respatial`: the houses whose point
-- (or the key areas) changed, whose key-area bits are recomputed; the others keep theirs.
-- `hazards`: the houses whose hazards' events change — their unit, key-area bits or first day
-- changed; a new version of the figures alone splits a segment in two with the same bits,
-- and the hazards' events on either side cancel, so they are not recounted.
CREATE FUNCTION ledger_refresh_houses(
    ids integer[], respatial integer[], hazards integer[]
) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    places jsonb;
BEGIN
    IF cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    PERFORM ledger_apply_houses(ids, -1, true, false);
    PERFORM ledger_apply_houses(hazards, -1, false, true);
    SELECT coalesce(jsonb_object_agg(house_id, place), '{}') INTO places
    FROM (SELECT DISTINCT house_id, place FROM ledger_house_segments
          WHERE house_id = ANY (ids) AND NOT house_id = ANY (respatial)) k;
    DELETE FROM ledger_house_segments WHERE house_id = ANY (ids);
    PERFORM ledger_put_segments(ids, places);
    PERFORM ledger_apply_houses(ids, 1, true, false);
    PERFORM ledger_apply_houses(hazards, 1, false, true);
END
$$;

-- Everything again from the tables (the migration, `geo-service ledger rebuild`, a rules
-- change of the CCTV thresholds for the house figures).
CREATE FUNCTION ledger_rebuild() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    -- millions of events are grouped: in memory, not in temporary files
    SET work_mem = '256MB' AS $$
BEGIN
    TRUNCATE ledger_house_segments, ledger_houses, ledger_hazards, ledger_hazard_units,
        ledger_hazard_spans;
    PERFORM ledger_put_segments(NULL, '{}');
    PERFORM ledger_apply_houses(NULL, 1);
END
$$;

-- House figures only, from the segments (a change of the CCTV thresholds).
CREATE FUNCTION ledger_recount_house_figures() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    DELETE FROM ledger_houses;
    PERFORM ledger_apply_houses(NULL, 1, true, false);
END
$$;

-- hazards: the changed rows' events out (old) and in (new); unchanged rows of an UPDATE
-- (an import re-sending a village's hazards) cancel before any work.
CREATE FUNCTION ledger_hazards_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    cols text := 'id, hazard_code, house_id, category, severity, department_id, found_on, '
                 'due_on, rectified_on, transferred_on, posted_on_wall, entered_in_system';
    src text;
BEGIN
    IF current_setting('geo.ledger_bulk', true) = 'on' THEN
        RETURN NULL;  -- a bulk load counts everything once at its end (ledger_rebuild)
    END IF;
    src := CASE TG_OP
        WHEN 'INSERT' THEN format('SELECT %s, 1 AS sign FROM new_rows', cols)
        WHEN 'DELETE' THEN format('SELECT %s, -1 AS sign FROM old_rows', cols)
        ELSE format('SELECT *, 1 AS sign FROM (SELECT %1$s FROM new_rows EXCEPT ALL '
                    'SELECT %1$s FROM old_rows) a UNION ALL SELECT *, -1 FROM (SELECT %1$s '
                    'FROM old_rows EXCEPT ALL SELECT %1$s FROM new_rows) b', cols)
    END;
    EXECUTE format(ledger_hazards_upsert(), format($q$
        SELECT g.unit_id, e.day, g.areas, z.category, z.severity, z.department_id, e.status,
               e.transferred, sum(z.sign * e.n) AS n
        FROM (%s) z
        JOIN ledger_house_segments g ON g.house_id = z.house_id AND g.valid_to > z.found_on
        CROSS JOIN LATERAL ledger_hazard_events(z.found_on, z.due_on, z.rectified_on,
                                                z.transferred_on, z.posted_on_wall,
                                                z.entered_in_system, g.valid_from,
                                                g.valid_to) e
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
        HAVING sum(z.sign * e.n) <> 0
    $q$, src));
    EXECUTE format('DELETE FROM ledger_hazard_spans s USING (%s) z '
                   'WHERE z.sign < 0 AND s.hazard_id = z.id', src);
    EXECUTE format(ledger_spans_insert(), format('(%s)', src), 'z.sign > 0');
    RETURN NULL;
END
$$;

-- houses: re-read the houses whose timeline, unit, point or figures may have changed. A
-- back-dated write (geo.effective before the current version) changes house_versions only,
-- so those rows count as changed too. (Deletes: ledger_house_deleting.)
CREATE FUNCTION ledger_houses_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    ids integer[];
    moved integer[];
    hazards integer[] := '{}';
BEGIN
    IF current_setting('geo.ledger_bulk', true) = 'on' THEN
        RETURN NULL;  -- a bulk load counts everything once at its end (ledger_rebuild)
    END IF;
    IF TG_OP = 'INSERT' THEN
        ids := ARRAY(SELECT id FROM new_rows ORDER BY id);
        moved := ids;
    ELSE
        SELECT coalesce(array_agg(n.id ORDER BY n.id), '{}'),
               coalesce(array_agg(n.id ORDER BY n.id) FILTER (
                   WHERE NOT ST_Equals(coalesce(n.geom, 'POINT EMPTY'),
                                       coalesce(o.geom, 'POINT EMPTY'))), '{}'),
               coalesce(array_agg(n.id ORDER BY n.id) FILTER (
                   WHERE NOT ST_Equals(coalesce(n.geom, 'POINT EMPTY'),
                                       coalesce(o.geom, 'POINT EMPTY'))
                      OR n.unit_id <> o.unit_id
                      OR n.is_self_built IS DISTINCT FROM o.is_self_built
                      OR house_effective_on() < o.valid_from), '{}')
        INTO ids, moved, hazards
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.house_code, n.unit_id, n.valid_from, n.rooms, n.beds, n.tenants, n.registered_tenants,
               n.is_registered, n.pledge_signed, n.has_second_landlord,
               n.second_landlord_registered, n.cctv_installed, n.cctv_retention_days,
               n.is_self_built, n.last_inspected_on)
              IS DISTINCT FROM
              (o.house_code, o.unit_id, o.valid_from, o.rooms, o.beds, o.tenants, o.registered_tenants,
               o.is_registered, o.pledge_signed, o.has_second_landlord,
               o.second_landlord_registered, o.cctv_installed, o.cctv_retention_days,
               o.is_self_built, o.last_inspected_on)
           OR n.geom IS DISTINCT FROM o.geom
           OR house_effective_on() < o.valid_from;
    END IF;
    PERFORM ledger_refresh_houses(ids, moved, hazards);
    RETURN NULL;
END
$$;

-- A house about to be deleted: its contribution out, hazards included, while they are still
-- there (ON DELETE CASCADE removes them before any statement trigger could see the house).
CREATE FUNCTION ledger_house_deleting() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF current_setting('geo.ledger_bulk', true) = 'on' THEN
        RETURN OLD;
    END IF;
    PERFORM ledger_apply_houses(ARRAY[OLD.id], -1);
    DELETE FROM ledger_house_segments WHERE house_id = OLD.id;
    RETURN OLD;
END
$$;

-- key_areas: the houses inside an area added, removed or reshaped get their bits again.
CREATE FUNCTION ledger_key_areas_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    ids integer[];
BEGIN
    IF current_setting('geo.ledger_bulk', true) = 'on' THEN
        RETURN NULL;  -- a bulk load counts everything once at its end (ledger_rebuild)
    END IF;
    IF TG_OP = 'INSERT' THEN
        ids := ARRAY(SELECT DISTINCT h.id FROM new_rows a JOIN houses h
                     ON ST_Intersects(a.geom, h.geom) ORDER BY h.id);
    ELSIF TG_OP = 'DELETE' THEN
        ids := ARRAY(SELECT DISTINCT h.id FROM old_rows a JOIN houses h
                     ON ST_Intersects(a.geom, h.geom) ORDER BY h.id);
    ELSE
        ids := ARRAY(SELECT DISTINCT h.id
                     FROM (SELECT geom, kind FROM new_rows UNION ALL
                           SELECT geom, kind FROM old_rows) a
                     JOIN houses h ON ST_Intersects(a.geom, h.geom) ORDER BY h.id);
    END IF;
    PERFORM ledger_refresh_houses(ids, ids, ids);
    RETURN NULL;
END
$$;

-- TRUNCATE: count again from what is left. A bulk load (the demo loader) sets geo.ledger_bulk
-- for its transaction, so no trigger counts row by row, and calls ledger_rebuild() at the end.
CREATE FUNCTION ledger_truncated() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF current_setting('geo.ledger_bulk', true) = 'on' THEN
        RETURN NULL;  -- a bulk load counts everything once at its end (ledger_rebuild)
    END IF;
    PERFORM ledger_rebuild();
    RETURN NULL;
END
$$;

-- rule_params: the CCTV thresholds decide cctv_required/cctv_compliant. (Deadlines reach
-- the ledger through the hazards' UPDATE that `rules apply` makes.)
CREATE FUNCTION ledger_rules_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF current_setting('geo.ledger_bulk', true) = 'on' THEN
        RETURN NULL;  -- a bulk load counts everything once at its end (ledger_rebuild)
    END IF;
    IF TG_OP = 'INSERT' OR (OLD.cctv_min_rooms, OLD.cctv_min_beds, OLD.cctv_min_tenants,
                            OLD.cctv_min_retention_days)
                           IS DISTINCT FROM (NEW.cctv_min_rooms, NEW.cctv_min_beds,
                                             NEW.cctv_min_tenants,
                                             NEW.cctv_min_retention_days) THEN
        PERFORM ledger_recount_house_figures();
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER ledger_ins AFTER INSERT ON hazards REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_hazards_changed();
CREATE TRIGGER ledger_upd AFTER UPDATE ON hazards
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_hazards_changed();
CREATE TRIGGER ledger_del AFTER DELETE ON hazards REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_hazards_changed();
CREATE TRIGGER ledger_truncate AFTER TRUNCATE ON hazards
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_truncated();

CREATE TRIGGER ledger_ins AFTER INSERT ON houses REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_houses_changed();
CREATE TRIGGER ledger_upd AFTER UPDATE ON houses
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_houses_changed();
CREATE TRIGGER ledger_del BEFORE DELETE ON houses
    FOR EACH ROW EXECUTE FUNCTION ledger_house_deleting();
CREATE TRIGGER ledger_truncate AFTER TRUNCATE ON houses
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_truncated();

CREATE TRIGGER ledger_ins AFTER INSERT ON key_areas REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_key_areas_changed();
CREATE TRIGGER ledger_upd AFTER UPDATE ON key_areas
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_key_areas_changed();
CREATE TRIGGER ledger_del AFTER DELETE ON key_areas REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_key_areas_changed();
CREATE TRIGGER ledger_truncate AFTER TRUNCATE ON key_areas
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_truncated();

CREATE TRIGGER ledger_rules AFTER INSERT OR UPDATE ON rule_params
    FOR EACH ROW EXECUTE FUNCTION ledger_rules_changed();

-- 排查率 stays a direct count (inspected within a period is no running sum): these indexes
-- find the period's inspected houses without reading every house.
CREATE INDEX ix_inspections_date ON inspections (inspected_on, house_id);

-- Read as the houses and hazards are: every role that reads all of them reads the ledger; a
-- village its own unit. A department sees hazards, not units: its analytics take the direct
-- path (analytics/ledger.py decides).
ALTER TABLE ledger_houses ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger_hazards ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger_hazard_units ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger_hazard_spans ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger_house_segments ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON ledger_houses, ledger_hazards, ledger_hazard_units, ledger_house_segments,
    ledger_hazard_spans TO geo_api;
CREATE POLICY ledger_spans_read_all ON ledger_hazard_spans FOR SELECT
    TO geo_api_admin, geo_api_leader, geo_api_supervisor, geo_api_police USING (true);
CREATE POLICY ledger_spans_read_village ON ledger_hazard_spans FOR SELECT
    TO geo_api_village USING (unit_id = app_unit_id());
CREATE POLICY ledger_hazard_units_read_all ON ledger_hazard_units FOR SELECT
    TO geo_api_admin, geo_api_leader, geo_api_supervisor, geo_api_police USING (true);
CREATE POLICY ledger_hazard_units_read_village ON ledger_hazard_units FOR SELECT
    TO geo_api_village USING (unit_id = app_unit_id());
CREATE POLICY ledger_houses_read_all ON ledger_houses FOR SELECT
    TO geo_api_admin, geo_api_leader, geo_api_supervisor, geo_api_police USING (true);
CREATE POLICY ledger_houses_read_village ON ledger_houses FOR SELECT TO geo_api_village
    USING (unit_id = app_unit_id());
CREATE POLICY ledger_hazards_read_all ON ledger_hazards FOR SELECT
    TO geo_api_admin, geo_api_leader, geo_api_supervisor, geo_api_police USING (true);
CREATE POLICY ledger_hazards_read_village ON ledger_hazards FOR SELECT TO geo_api_village
    USING (unit_id = app_unit_id());
CREATE POLICY ledger_segments_read_all ON ledger_house_segments FOR SELECT
    TO geo_api_admin, geo_api_leader, geo_api_supervisor, geo_api_police USING (true);
CREATE POLICY ledger_segments_read_village ON ledger_house_segments FOR SELECT
    TO geo_api_village USING (unit_id = app_unit_id());
GRANT EXECUTE ON FUNCTION ledger_area_bit(text), ledger_area_mask(text[]) TO geo_api;
REVOKE ALL ON FUNCTION ledger_apply_houses(integer[], integer, boolean, boolean),
    ledger_refresh_houses(integer[], integer[], integer[]), ledger_rebuild(),
    ledger_recount_house_figures() FROM PUBLIC;
-- Fired by triggers only (firing checks no EXECUTE right): no role calls them.
REVOKE ALL ON FUNCTION ledger_put_segments(integer[], jsonb), ledger_hazards_changed(),
    ledger_houses_changed(), ledger_house_deleting(), ledger_key_areas_changed(),
    ledger_truncated(), ledger_rules_changed() FROM PUBLIC;

SELECT ledger_rebuild();
