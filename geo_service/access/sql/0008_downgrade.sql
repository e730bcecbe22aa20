-- Undo 0008: incident_counts_near as 0005 defined it (one GiST probe per house).
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
