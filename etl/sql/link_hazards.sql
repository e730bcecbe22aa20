-- Hazards of the houses just imported that link to no inspection yet get the inspection that
-- found them when it is known: the one inspection of their house on their 发现日期 that did
-- not record 否 (none or several: not known, left NULL). A link once made stays (a visit's is
-- exact). Audited like the upsert. %(house_ids)s: the houses of the sheet's rows.
WITH pick AS (
    SELECT z.id, min(i.id) AS inspection_id
    FROM hazards z
    JOIN inspections i
      ON i.house_id = z.house_id AND i.inspected_on = z.found_on
     AND i.found_hazard IS DISTINCT FROM false
    WHERE z.inspection_id IS NULL
      AND z.house_id = ANY(CAST(%(house_ids)s AS integer[]))
    GROUP BY z.id
    HAVING count(*) = 1
), linked AS (
    UPDATE hazards z SET inspection_id = pick.inspection_id, updated_at = now()
    FROM pick WHERE z.id = pick.id
    RETURNING z.hazard_code, z.inspection_id
)
INSERT INTO audit_log (actor, action, table_name, record_key, before, after, detail)
SELECT %(actor)s, 'update', 'hazards', hazard_code,
       jsonb_build_object('inspection_id', NULL),
       jsonb_build_object('inspection_id', inspection_id),
       jsonb_build_object('source', %(source)s, 'via', 'import', 'linked', 'inspection')
FROM linked;
