-- Incidents stay the police's (docs/access.md, "Incidents stay the police's"). Whatever a role
-- other than the police learns of incidents is a count on ONE fixed grid of hexagons at least
-- 250 m in circumradius on the ground, over whole calendar months that have ended, and a count
-- below 3 is not shown. Fixed grid: no size or origin to choose, so no two answers have cells
-- that intersect into a smaller area. Whole ended months: no date, as-of day or filter moves a
-- window by less than a month, so no difference of two answers isolates a day (nor does
-- asking again tomorrow). These functions are the only way such a role reaches incidents; the
-- police read the table itself (row-level security) and get exact answers.

-- The fixed grid: Web Mercator units of a 250 m ground circumradius. Mercator stretches ground
-- lengths by 1 / cos(latitude); the scale is taken at the town's latitude rounded up to a whole
-- degree, plus one, so the grid does not move when data change and a cell is at least 250 m on
-- the ground everywhere up to one degree beyond it. SECURITY DEFINER: every role, whatever rows
-- it sees, gets the same grid.
CREATE FUNCTION incident_grid_size() RETURNS double precision
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT 250.0 / cos(radians(least(ceil(abs(t.lat)) + 1, 85)))
    FROM (
        SELECT coalesce(ST_Y(ST_Centroid(coalesce(
            (SELECT ST_Extent(geom) FROM units)::geometry,
            (SELECT ST_Extent(geom) FROM houses)::geometry
        ))), 0) AS lat
    ) t
$$;
GRANT EXECUTE ON FUNCTION incident_grid_size() TO geo_api;

-- The cell of the point (x, y) (Web Mercator) on the hexagon grid of circumradius `size`:
-- i in the high 32 bits, j in the low 32, the same (i, j) as ST_HexagonGrid(size) in 3857 by
-- the arithmetic of geo_service/spatial/sql/hex_bin.sql (the police's own binning): the nearer
-- of the nearest even-column centre (3·size × √3·size lattice) and odd-column centre (the same
-- lattice shifted by half a step). One expression, so PostgreSQL inlines it.
CREATE FUNCTION incident_grid_cell_xy(x double precision, y double precision,
                                      size double precision) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN power(x - 3 * size * round(x / (3 * size)), 2)
             + power(y - sqrt(3::float8) * size * round(y / (sqrt(3::float8) * size)), 2)
             <= power(x - 3 * size * (round(x / (3 * size) - 0.5::float8) + 0.5::float8), 2)
                + power(y - sqrt(3::float8) * size
                            * (round(y / (sqrt(3::float8) * size) - 0.5::float8) + 0.5::float8), 2)
        THEN ((2 * round(x / (3 * size)))::bigint << 32)
             | (round(y / (sqrt(3::float8) * size))::bigint & 4294967295)
        ELSE ((2 * round(x / (3 * size) - 0.5::float8) + 1)::bigint << 32)
             | (round(y / (sqrt(3::float8) * size) - 0.5::float8)::bigint & 4294967295)
    END
$$;

-- The cell of the point `g` (WGS84), projected to Web Mercator as hex_bin.sql's callers do.
CREATE FUNCTION incident_grid_cell(g geometry, size double precision) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT incident_grid_cell_xy(6378137.0::float8 * radians(ST_X(g)),
                                 6378137.0::float8 * ln(tan(pi() / 4 + radians(ST_Y(g)) / 2)),
                                 size)
$$;

-- The window a role other than the police may count over, from what it asked: `date_from`
-- back to the first of its month, `date_to` on to the last of its month, and nothing after the
-- last month that had ended by `as_of` — nor by yesterday in the town (a month still running
-- would change from day to day).
CREATE FUNCTION incident_months(as_of date, date_from date, date_to date,
                                OUT since date, OUT until date)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CAST(date_trunc('month', CAST(date_from AS timestamp)) AS date),
           LEAST(
               CAST(date_trunc('month', CAST(LEAST(coalesce(as_of, t.today), t.today - 1) + 1
                                             AS timestamp)) AS date) - 1,
               CAST(date_trunc('month', CAST(date_to AS timestamp)) + interval '1 month'
                    AS date) - 1)
    FROM (SELECT CAST(now() AT TIME ZONE 'Asia/Shanghai' AS date) AS today) t
$$;
GRANT EXECUTE ON FUNCTION incident_months(date, date, date) TO geo_api;

-- Located incidents per cell of the fixed grid, town dates since..until (inclusive; since NULL:
-- from the first), only cells with at least 3. Not for the API roles themselves (they could
-- choose any days): only the SECURITY DEFINER functions below call it, with whole months.
CREATE FUNCTION incident_cells(since date, until date, categories text[])
RETURNS TABLE (cell bigint, n bigint)
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT incident_grid_cell(x.geom, s.size) AS cell, count(*)
    FROM incidents x
    -- OFFSET 0: the size is computed once, not copied into every use of the inlined binning
    CROSS JOIN (SELECT incident_grid_size() AS size OFFSET 0) s
    WHERE x.geom IS NOT NULL
      AND (since IS NULL
           OR x.occurred_at >= CAST(since AS timestamp) AT TIME ZONE 'Asia/Shanghai')
      AND x.occurred_at < CAST(until + 1 AS timestamp) AT TIME ZONE 'Asia/Shanghai'
      AND (categories IS NULL OR x.category = ANY (categories))
    GROUP BY 1
    HAVING count(*) >= 3
$$;
REVOKE ALL ON FUNCTION incident_cells(date, date, text[]) FROM PUBLIC;

-- Hot spots for leaders and the supervision group: counts per cell of the fixed grid over the
-- whole months of incident_months(). No size to choose any more (the old signature is gone).
DROP FUNCTION incident_hex_counts(double precision, integer, date, date, date, text[]);
CREATE FUNCTION incident_hex_counts(as_of date, date_from date, date_to date, categories text[])
RETURNS TABLE (i integer, j integer, n bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    w record;
BEGIN
    IF NOT (app_role() IN ('leader', 'supervisor', 'police') OR current_setting('role') = 'none')
    THEN
        RAISE EXCEPTION 'incident hot spots are not for this role'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO w FROM incident_months(as_of, date_from, date_to);
    RETURN QUERY
    SELECT (c.cell >> 32)::integer, ((c.cell << 32) >> 32)::integer, c.n
    FROM incident_cells(w.since, w.until, categories) c;
END
$$;
REVOKE ALL ON FUNCTION incident_hex_counts(date, date, date, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION incident_hex_counts(date, date, date, text[]) TO geo_api;

-- The risk ranking's incident factor, as precise as the caller may know it:
-- * police and the owner (CLI): incidents within radius_m of each house, since..until, as 0008
--   counted them (body unchanged below);
-- * leaders and the supervision group: the incidents of the house's cell on the fixed grid over
--   the whole months of incident_months(until, since, until) — every house of a cell gets the
--   same number, so houses cannot be played against each other to triangulate an incident;
-- * administrators, village staff and departments: nothing (docs/access.md).
CREATE OR REPLACE FUNCTION incident_counts_near(house_ids integer[], radius_m double precision,
                                                radius_deg double precision, since date,
                                                until date, cap bigint)
RETURNS TABLE (house_id integer, incidents bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    c double precision := 0.9 * radius_m / (sqrt(2.0) * 111700.0);
    k integer;
    w record;
BEGIN
    IF app_role() IN ('leader', 'supervisor') THEN
        SELECT * INTO w FROM incident_months(until, since, until);
        RETURN QUERY
        SELECT h.id, CASE WHEN cap IS NULL THEN cl.n ELSE LEAST(cl.n, cap) END
        FROM houses h
        CROSS JOIN (SELECT incident_grid_size() AS size OFFSET 0) s
        JOIN incident_cells(w.since, w.until, NULL) cl
          ON cl.cell = incident_grid_cell(h.geom, s.size)
        WHERE h.id = ANY (house_ids) AND h.geom IS NOT NULL;
        RETURN;
    END IF;
    -- 'none': no SET ROLE, i.e. the owner (CLI, bulletin job), not an API request
    IF NOT (app_role() = 'police' OR current_setting('role') = 'none') THEN
        RETURN;  -- administrators, village staff and departments: not theirs to know
    END IF;
    IF radius_m IS NULL OR radius_m <= 0 OR radius_deg IS NULL
       OR radius_deg < radius_m / 111700.0 OR radius_deg / c > 8
       OR (cap IS NOT NULL AND cap <= 0) THEN
        RETURN QUERY
        SELECT h.id, cn.n
        FROM houses h
        CROSS JOIN LATERAL (
            SELECT count(*) AS n FROM (
                SELECT 1 FROM incidents i
                WHERE ST_DWithin(i.geom, h.geom, radius_deg)
                  AND ST_DWithin(CAST(i.geom AS geography), CAST(h.geom AS geography), radius_m)
                  AND i.occurred_at >= since AND i.occurred_at < until + 1
                LIMIT cap) x
        ) cn
        WHERE h.id = ANY (house_ids) AND cn.n > 0;
        RETURN;
    END IF;
    k := ceil(radius_deg / c)::integer;
    RETURN QUERY
    WITH inc AS (
        SELECT i.geom, ST_X(i.geom) AS x, ST_Y(i.geom) AS y,
               floor(ST_X(i.geom) / c)::integer AS gx, floor(ST_Y(i.geom) / c)::integer AS gy
        FROM incidents i
        WHERE i.occurred_at >= since AND i.occurred_at < until + 1 AND i.geom IS NOT NULL
    ), cells AS (
        SELECT inc.gx, inc.gy, count(*) AS n FROM inc GROUP BY inc.gx, inc.gy
    ), hs AS (
        SELECT h.id, h.geom, ST_X(h.geom) AS x, ST_Y(h.geom) AS y,
               floor(ST_X(h.geom) / c)::integer AS gx, floor(ST_Y(h.geom) / c)::integer AS gy
        FROM houses h
        WHERE h.id = ANY (house_ids) AND h.geom IS NOT NULL
    ), own AS (
        SELECT hs.*, coalesce(cl.n, 0) AS n,
               111412.84 * cos(radians(hs.y)) - 93.5 * cos(radians(3 * hs.y))
                   + 0.118 * cos(radians(5 * hs.y)) AS m_lon,
               111132.954 - 559.822 * cos(radians(2 * hs.y))
                   + 1.175 * cos(radians(4 * hs.y)) AS m_lat
        FROM hs LEFT JOIN cells cl ON cl.gx = hs.gx AND cl.gy = hs.gy
    ), rest AS (
        SELECT * FROM own WHERE cap IS NULL OR own.n < cap
    )
    SELECT own.id, cap FROM own WHERE cap IS NOT NULL AND own.n >= cap
    UNION ALL
    SELECT r.id, CASE WHEN cap IS NULL THEN count(*) ELSE LEAST(count(*), cap) END
    FROM rest r
    CROSS JOIN generate_series(-k, k) AS dx(d)
    CROSS JOIN generate_series(-k, k) AS dy(d)
    JOIN inc i ON i.gx = r.gx + dx.d AND i.gy = r.gy + dy.d
    WHERE ST_DWithin(i.geom, r.geom, radius_deg)
      AND (power((i.x - r.x) * r.m_lon, 2) + power((i.y - r.y) * r.m_lat, 2)
               < power(0.99 * radius_m, 2)
           OR (power((i.x - r.x) * r.m_lon, 2) + power((i.y - r.y) * r.m_lat, 2)
                   <= power(1.01 * radius_m, 2)
               AND ST_DWithin(CAST(i.geom AS geography), CAST(r.geom AS geography), radius_m)))
    GROUP BY r.id;
END
$$;

-- The audit log: administrators oversee who read incidents (rows of action 'read' name the
-- request, never an incident's place or time) but do not see the rows of incident changes,
-- which carry the record before and after. The police see every row.
DROP POLICY audit_log_read ON audit_log;
CREATE POLICY audit_log_read_police ON audit_log FOR SELECT TO geo_api_police USING (true);
CREATE POLICY audit_log_read_admin ON audit_log FOR SELECT TO geo_api_admin
    USING (table_name IS DISTINCT FROM 'incidents' OR action = 'read');
