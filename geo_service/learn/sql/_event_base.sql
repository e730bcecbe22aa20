-- For each event (ev: event_id, house_id, day), what was known the evening before its day:
-- hv  the house as it stood the day before (house history, migration 0014: the version whose
--     [valid_from, valid_to) holds d − 1), with the CCTV rule applied as _house_scope.sql
--     applies it (SPEC §3.4: required when any threshold is reached; installed NULL =
--     missing; retention NULL or short = short);
-- hz  its hazards found strictly before the day, in their state on the day before (the
--     definitions of hazard_state(d − 1): rectified on or before d − 1; overdue when not
--     rectified and d − 1 is past due_on, the deadline hazard_due() derived);
-- kh  the key-area kinds its point lies in.
hvs AS (
    -- Every version of the events' houses: the current record (valid from valid_from) and
    -- the superseded ones ([valid_from, valid_to)), as house_state(d) unites them.
    SELECT h.id, h.valid_from, CAST(NULL AS date) AS valid_to, h.rooms, h.beds, h.tenants,
           h.registered_tenants, h.is_registered, h.pledge_signed, h.has_second_landlord,
           h.second_landlord_registered, h.cctv_installed, h.cctv_retention_days,
           h.is_self_built, h.electricity_kwh_month, h.has_smoke_masks, h.has_torches,
           h.has_extinguishers
    FROM houses h
    WHERE h.id IN (SELECT house_id FROM ev)
    UNION ALL
    SELECT v.house_id, v.valid_from, v.valid_to, v.rooms, v.beds, v.tenants,
           v.registered_tenants, v.is_registered, v.pledge_signed, v.has_second_landlord,
           v.second_landlord_registered, v.cctv_installed, v.cctv_retention_days,
           v.is_self_built, v.electricity_kwh_month, v.has_smoke_masks, v.has_torches,
           v.has_extinguishers
    FROM house_versions v
    WHERE v.house_id IN (SELECT house_id FROM ev)
), hv AS (
    -- The version in force the day before (what the inspection itself recorded is not known
    -- beforehand); a house first recorded later: its first record, the best there is.
    SELECT DISTINCT ON (ev.event_id)
           ev.event_id, ev.house_id, ev.day, ev.kind, ev.inspector, ev.found_any,
           ev.found_major, h.unit_id, h.geom, s.rooms, s.beds, s.tenants,
           s.registered_tenants, s.is_registered, s.pledge_signed, s.has_second_landlord,
           coalesce(s.second_landlord_registered, false) AS second_landlord_registered,
           s.is_self_built, s.electricity_kwh_month,
           s.has_smoke_masks, s.has_torches, s.has_extinguishers,
           (s.rooms >= CAST(:cctv_min_rooms AS integer)
            OR s.beds >= CAST(:cctv_min_beds AS integer)
            OR s.tenants >= CAST(:cctv_min_tenants AS integer))
           AND (s.cctv_installed IS NOT TRUE OR s.cctv_retention_days IS NULL
                OR s.cctv_retention_days < CAST(:cctv_min_retention_days AS integer))
               AS cctv_violation
    FROM ev
    JOIN houses h ON h.id = ev.house_id
    JOIN hvs s ON s.id = ev.house_id
    ORDER BY ev.event_id,
             s.valid_from <= ev.day - 1 AND (s.valid_to IS NULL OR ev.day - 1 < s.valid_to) DESC,
             s.valid_from
), hz AS (
    SELECT e.event_id,
           count(*) AS past,
           count(*) FILTER (WHERE z.found_on >= e.day - 90) AS past_90d,
           count(*) FILTER (WHERE z.found_on >= e.day - 365) AS past_365d,
           count(*) FILTER (WHERE z.severity = 'major') AS past_major,
           count(*) FILTER (WHERE c.group_code = 'house') AS past_house,
           count(*) FILTER (WHERE c.group_code = 'fire') AS past_fire,
           count(*) FILTER (WHERE c.group_code = 'security') AS past_security,
           count(*) FILTER (WHERE c.group_code = 'public_security') AS past_public_security,
           count(*) FILTER (WHERE c.group_code = 'power') AS past_power,
           count(*) FILTER (WHERE NOT r.rectified) AS open,
           count(*) FILTER (WHERE NOT r.rectified AND z.severity = 'major') AS open_major,
           count(*) FILTER (WHERE NOT r.rectified AND e.day - 1 > z.due_on) AS overdue,
           coalesce(bool_or(NOT r.rectified AND z.category = 'dangerous_house'), false)
               AS dangerous,
           min(e.day - z.found_on) AS days_since
    FROM ev e
    JOIN hazards z ON z.house_id = e.house_id AND z.found_on < e.day
    JOIN hazard_categories c ON c.code = z.category
    CROSS JOIN LATERAL (
        SELECT z.rectified_on IS NOT NULL AND z.rectified_on < e.day AS rectified
    ) r
    GROUP BY e.event_id
), kh AS (
    SELECT h.id AS house_id, array_agg(DISTINCT CAST(k.kind AS text)) AS kinds
    FROM houses h
    JOIN key_areas k ON ST_Intersects(k.geom, h.geom)
    WHERE h.id IN (SELECT house_id FROM ev)
    GROUP BY h.id
)
