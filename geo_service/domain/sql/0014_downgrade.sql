ALTER TABLE import_jobs DROP COLUMN effective;
DROP FUNCTION house_self_built_on(integer, date, boolean, date);
DROP FUNCTION house_state(date);
DROP TRIGGER houses_zz_history ON houses;
DROP TRIGGER houses_history_insert ON houses;
DROP FUNCTION houses_history_update();
DROP FUNCTION houses_history_insert();
DROP FUNCTION house_figures_on(integer, date);
DROP FUNCTION house_versions_put(integer, date, jsonb, date);
DROP FUNCTION house_figures(integer, integer, integer, integer, boolean, boolean, boolean, boolean,
                            boolean, integer, boolean, date, boolean, boolean, boolean,
                            double precision);
DROP FUNCTION house_history_actor();
DROP FUNCTION house_effective_on();
DROP TABLE house_versions;
ALTER TABLE houses DROP COLUMN valid_from;
-- btree_gist stays: other objects of the database may have come to use it.
