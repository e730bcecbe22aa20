DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['units', 'key_areas', 'schools', 'houses', 'hazard_categories',
                             'hazards', 'incidents', 'roads', 'addresses', 'inspections',
                             'review_visits', 'route_plans', 'route_plan_routes',
                             'route_plan_stops', 'meta']
    LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS data_change_mark ON %I', t);
        EXECUTE format('DROP TRIGGER IF EXISTS data_change_mark_ins ON %I', t);
        EXECUTE format('DROP TRIGGER IF EXISTS data_change_mark_upd ON %I', t);
        EXECUTE format('DROP TRIGGER IF EXISTS data_change_mark_del ON %I', t);
    END LOOP;
END
$$;
DROP FUNCTION IF EXISTS cache_put(text, bigint, smallint, text, jsonb, bytea, boolean, real, bigint);
DROP FUNCTION IF EXISTS cache_get(text);
DROP TABLE IF EXISTS response_cache;
DROP TABLE IF EXISTS data_change_marks;
DROP FUNCTION IF EXISTS data_version_bump();
DROP FUNCTION IF EXISTS data_change_mark();
DROP FUNCTION IF EXISTS data_change_mark_rows();
DROP TABLE IF EXISTS data_version;
