-- The learned model's features (docs/risk.md), one row per event (ev: an inspection, or every
-- house on the day after D), each from what was recorded strictly before the event's day: no
-- outcome of that day, nor anything later, reaches its features. Set-based: one statement for
-- any number of events and days. {{events}}: _events_inspections.sql or _events_houses.sql.
WITH hist AS (
    -- @include _outcomes.sql
), ev AS (
    {{events}}
),
-- @include _event_base.sql
, nb AS (
    -- Neighbouring houses within :nb_radius_m (the box in degrees uses the GiST index).
    SELECT a.id AS house_id, b.id AS nb_id
    FROM houses a
    JOIN houses b ON ST_DWithin(b.geom, a.geom, CAST(:nb_radius_deg AS float8))
                 AND ST_DWithin(CAST(b.geom AS geography), CAST(a.geom AS geography),
                                CAST(:nb_radius_m AS float8))
                 AND b.id <> a.id
    WHERE a.id IN (SELECT house_id FROM ev)
), dens AS (
    -- Hazards found at the neighbours in the 180 days before the day.
    SELECT ev.event_id, count(*) AS n
    FROM ev
    JOIN nb ON nb.house_id = ev.house_id
    JOIN hazards z ON z.house_id = nb.nb_id AND z.found_on >= ev.day - 180 AND z.found_on < ev.day
    GROUP BY ev.event_id
), nbi AS (
    -- The neighbours' inspections in the 180 days before the day, and how many found a hazard.
    SELECT ev.event_id, count(*) AS n, count(*) FILTER (WHERE p.found_any) AS hits
    FROM ev
    JOIN nb ON nb.house_id = ev.house_id
    JOIN hist p ON p.house_id = nb.nb_id AND p.day >= ev.day - 180 AND p.day < ev.day
    GROUP BY ev.event_id
), inc_win AS (
    SELECT DISTINCT CAST(date_trunc('month', CAST(day AS timestamp)) AS date) AS m FROM ev
), inc AS (
    -- Incidents of the house's cell on the fixed grid over the three whole months before the
    -- day's month, as coarse as leaders may know them (risk_incident_cells, migration 0018).
    SELECT w.m, c.cell, c.n
    FROM inc_win w
    CROSS JOIN LATERAL risk_incident_cells(CAST(w.m - interval '3 months' AS date), w.m - 1) c
), grid AS (
    SELECT incident_grid_size() AS size OFFSET 0
), own AS (
    -- The house's own past inspections and what they found.
    SELECT ev.event_id, count(*) AS n, count(*) FILTER (WHERE p.found_any) AS hits,
           min(ev.day - p.day) AS days_since
    FROM ev
    JOIN hist p ON p.house_id = ev.house_id AND p.day < ev.day
    GROUP BY ev.event_id
), town_days AS (
    SELECT day, count(*) AS n, count(*) FILTER (WHERE found_any) AS hits FROM hist GROUP BY day
), town AS (
    -- Cumulative over days: the row of the last inspection day before d answers for d.
    SELECT day, lead(day) OVER w AS next_day, sum(n) OVER w AS n, sum(hits) OVER w AS hits
    FROM town_days WINDOW w AS (ORDER BY day)
), unit_days AS (
    SELECT h.unit_id AS key, p.day, count(*) AS n, count(*) FILTER (WHERE p.found_any) AS hits
    FROM hist p JOIN houses h ON h.id = p.house_id
    GROUP BY 1, 2
), unit_cum AS (
    SELECT key, day, lead(day) OVER w AS next_day, sum(n) OVER w AS n, sum(hits) OVER w AS hits
    FROM unit_days WINDOW w AS (PARTITION BY key ORDER BY day)
), who_days AS (
    SELECT coalesce(inspector, '') || '|' || coalesce(kind, '') AS key, day, count(*) AS n,
           count(*) FILTER (WHERE found_any) AS hits
    FROM hist
    GROUP BY 1, 2
), who_cum AS (
    SELECT key, day, lead(day) OVER w AS next_day, sum(n) OVER w AS n, sum(hits) OVER w AS hits
    FROM who_days WINDOW w AS (PARTITION BY key ORDER BY day)
)
SELECT hv.event_id, hv.house_id, hv.day, hv.found_any, hv.found_major,
       -- occupancy evidence
       hv.rooms, hv.beds, hv.tenants,
       hv.tenants / greatest(hv.rooms, 1.0) AS tenants_per_room,
       hv.tenants / greatest(hv.beds, 1.0) AS tenants_per_bed,
       hv.tenants - hv.registered_tenants AS unregistered_tenants,
       (hv.tenants - hv.registered_tenants) / greatest(hv.tenants, 1.0) AS unregistered_share,
       coalesce(hv.electricity_kwh_month
                / (CAST(:kwh_base AS float8)
                   + CAST(:kwh_per_tenant AS float8) * hv.registered_tenants), 1.0)
           AS kwh_vs_registered,
       CASE WHEN hv.electricity_kwh_month IS NULL THEN 1 ELSE 0 END AS kwh_missing,
       -- the house and its compliance
       CASE WHEN hv.is_self_built THEN 1 ELSE 0 END AS self_built,
       CASE WHEN hv.cctv_violation THEN 1 ELSE 0 END AS cctv_violation,
       CASE WHEN hv.pledge_signed THEN 0 ELSE 1 END AS no_pledge,
       CASE WHEN hv.is_registered THEN 0 ELSE 1 END AS not_registered,
       CASE WHEN hv.has_second_landlord AND NOT hv.second_landlord_registered THEN 1 ELSE 0 END
           AS second_landlord_unregistered,
       (CASE WHEN hv.has_smoke_masks IS FALSE THEN 1 ELSE 0 END
        + CASE WHEN hv.has_torches IS FALSE THEN 1 ELSE 0 END
        + CASE WHEN hv.has_extinguishers IS FALSE THEN 1 ELSE 0 END) AS fire_kit_missing,
       -- key areas
       CASE WHEN 'urban_village' = ANY (kh.kinds) THEN 1 ELSE 0 END AS ka_urban_village,
       CASE WHEN 'old_estate' = ANY (kh.kinds) THEN 1 ELSE 0 END AS ka_old_estate,
       CASE WHEN 'resettlement_estate' = ANY (kh.kinds) THEN 1 ELSE 0 END
           AS ka_resettlement_estate,
       CASE WHEN 'rural_self_built' = ANY (kh.kinds) THEN 1 ELSE 0 END AS ka_rural_self_built,
       CASE WHEN 'campus' = ANY (kh.kinds) THEN 1 ELSE 0 END AS ka_campus,
       -- past hazards by group and recency, open and overdue on the day before
       coalesce(hz.past, 0) AS hz_past,
       coalesce(hz.past_90d, 0) AS hz_past_90d,
       coalesce(hz.past_365d, 0) AS hz_past_365d,
       coalesce(hz.past_major, 0) AS hz_past_major,
       coalesce(hz.past_house, 0) AS hz_past_house,
       coalesce(hz.past_fire, 0) AS hz_past_fire,
       coalesce(hz.past_security, 0) AS hz_past_security,
       coalesce(hz.past_public_security, 0) AS hz_past_public_security,
       coalesce(hz.past_power, 0) AS hz_past_power,
       coalesce(hz.open, 0) AS hz_open,
       coalesce(hz.open_major, 0) AS hz_open_major,
       coalesce(hz.overdue, 0) AS hz_overdue,
       CASE WHEN hz.dangerous THEN 1 ELSE 0 END AS hz_dangerous_open,
       least(coalesce(hz.days_since, 999), 999) AS days_since_hazard,
       -- past inspections of the house
       coalesce(own.n, 0) AS inspections_past,
       coalesce(own.hits, 0) AS inspections_past_hits,
       least(coalesce(own.days_since, 999), 999) AS days_since_inspection,
       -- around the house
       coalesce(dens.n, 0) AS hazards_nearby_180d,
       coalesce(inc.n, 0) AS incidents_cell_3m,
       coalesce((coalesce(nbi.hits, 0) + 5.0 * tr.rate) / (coalesce(nbi.n, 0) + 5.0), 0)
           AS nearby_hit_rate,
       -- the village's and the inspecting team's past hit rates, shrunk towards the town's
       -- (an imagined inspection of every house, on the day after D, is the town's average one)
       coalesce((coalesce(uc.hits, 0) + 20.0 * tr.rate) / (coalesce(uc.n, 0) + 20.0), 0)
           AS unit_hit_rate,
       coalesce((coalesce(wc.hits, 0) + 20.0 * tr.rate) / (coalesce(wc.n, 0) + 20.0), tr.rate, 0)
           AS inspector_hit_rate
FROM hv
CROSS JOIN grid
LEFT JOIN hz ON hz.event_id = hv.event_id
LEFT JOIN kh ON kh.house_id = hv.house_id
LEFT JOIN dens ON dens.event_id = hv.event_id
LEFT JOIN own ON own.event_id = hv.event_id
LEFT JOIN nbi ON nbi.event_id = hv.event_id
LEFT JOIN inc ON inc.m = CAST(date_trunc('month', CAST(hv.day AS timestamp)) AS date)
             AND inc.cell = incident_grid_cell(hv.geom, grid.size)
LEFT JOIN town t ON hv.day > t.day AND (t.next_day IS NULL OR hv.day <= t.next_day)
CROSS JOIN LATERAL (SELECT CAST(t.hits AS float8) / nullif(t.n, 0) AS rate) tr
LEFT JOIN unit_cum uc ON uc.key = hv.unit_id AND hv.day > uc.day
                     AND (uc.next_day IS NULL OR hv.day <= uc.next_day)
LEFT JOIN who_cum wc ON hv.kind IS NOT NULL
                    AND wc.key = coalesce(hv.inspector, '') || '|' || coalesce(hv.kind, '')
                    AND hv.day > wc.day AND (wc.next_day IS NULL OR hv.day <= wc.next_day)
ORDER BY hv.day, hv.event_id
