-- The incident aggregates of 0004, re-planned for every call with the actual values
-- (plan_cache_mode = force_custom_plan): a generic plan cannot tell a date range covering
-- every incident from a narrow one and took the date index for every house, which made the
-- risk ranking's counts hundreds of times slower at city scale.

CREATE OR REPLACE FUNCTION incident_counts_near(house_ids integer[], radius_m double precision,
                                                radius_deg double precision, since date,
                                                until date, cap bigint)
RETURNS TABLE (house_id integer, incidents bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan AS $$
BEGIN
    -- 'none': no SET ROLE, i.e. the owner (CLI, bulletin job), not an API request
    IF NOT (app_role() IN ('admin', 'leader', 'supervisor', 'police')
            OR current_setting('role') = 'none') THEN
        RETURN;  -- village staff and departments: incidents are not theirs to know
    END IF;
    RETURN QUERY
    SELECT h.id, c.n
    FROM houses h
    CROSS JOIN LATERAL (
        SELECT count(*) AS n FROM (
            SELECT 1 FROM incidents i
            WHERE ST_DWithin(i.geom, h.geom, radius_deg)
              AND ST_DWithin(CAST(i.geom AS geography), CAST(h.geom AS geography), radius_m)
              AND i.occurred_at >= since AND i.occurred_at < until + 1
            LIMIT cap) x
    ) c
    WHERE h.id = ANY (house_ids) AND c.n > 0;
END
$$;

CREATE OR REPLACE FUNCTION incident_hex_counts(size_m double precision, srid integer,
                                               as_of date, date_from date, date_to date,
                                               categories text[])
RETURNS TABLE (i integer, j integer, n bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan AS $$
BEGIN
    IF NOT (app_role() IN ('leader', 'supervisor', 'police') OR current_setting('role') = 'none')
    THEN
        RAISE EXCEPTION 'incident hot spots are not for this role'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF size_m IS NULL OR size_m < 100 THEN
        RAISE EXCEPTION 'hexagons of at least 100 m' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN QUERY
    SELECT b.q, (b.r + floor(b.q / 2.0))::integer, count(*)
    FROM (
        SELECT (CASE WHEN a.dq > a.dr AND a.dq > a.ds THEN -a.rr - a.sr ELSE a.qr END)::integer
                   AS q,
               (CASE WHEN a.dq > a.dr AND a.dq > a.ds THEN a.rr
                     WHEN a.dr > a.ds THEN -a.qr - a.sr
                     ELSE a.rr END)::integer AS r
        FROM (
            SELECT round(f.qf) AS qr, round(f.rf) AS rr, round(-f.qf - f.rf) AS sr,
                   abs(round(f.qf) - f.qf) AS dq, abs(round(f.rf) - f.rf) AS dr,
                   abs(round(-f.qf - f.rf) + f.qf + f.rf) AS ds
            FROM (
                SELECT (2.0 / 3.0) * p.x / size_m AS qf,
                       (sqrt(3.0) / 3.0 * p.y - p.x / 3.0) / size_m AS rf
                FROM (
                    -- OFFSET 0: the transform runs once per incident, not once per use
                    SELECT ST_X(g.g) AS x, ST_Y(g.g) AS y
                    FROM (
                        SELECT ST_Transform(x.geom, srid) AS g
                        FROM incidents x
                        WHERE x.geom IS NOT NULL
                          AND x.occurred_at < (as_of + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'
                          AND (date_from IS NULL
                               OR x.occurred_at
                                  >= date_from::timestamp AT TIME ZONE 'Asia/Shanghai')
                          AND (date_to IS NULL
                               OR x.occurred_at
                                  < (date_to + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')
                          AND (categories IS NULL OR x.category = ANY (categories))
                        OFFSET 0
                    ) g
                    OFFSET 0
                ) p
            ) f
        ) a
    ) b
    GROUP BY 1, 2;
END
$$;
