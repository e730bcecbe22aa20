-- Work in the field (docs/field.md): a plan published to its teams, who is in each team, the
-- visits recorded on the teams' phones (once each, by the phone's own id) and their photos.

-- Two outcomes a phone records that the CLI could not: 已走访 with nothing to record on a
-- hazard (checked) and 拒绝入户 (refused: the occupants would not let the team in).
ALTER TABLE review_visits DROP CONSTRAINT visit_outcome;
ALTER TABLE review_visits ADD CONSTRAINT visit_outcome CHECK (outcome IN (
    'rectified', 'still_open', 'new_hazard', 'not_found', 'no_access', 'checked', 'refused'));

-- Publishing (发布): the teams follow the published plan of their day. One per day: publishing
-- another plan of the same day withdraws the earlier one.
ALTER TABLE route_plans ADD COLUMN published_at timestamptz;
ALTER TABLE route_plans ADD COLUMN published_by varchar(100);
CREATE UNIQUE INDEX uq_route_plans_published_day ON route_plans (plan_date)
    WHERE published_at IS NOT NULL;

-- Team members (队员): user accounts of the supervision group or the police, one team per plan.
CREATE TABLE route_plan_members (
    plan_ref varchar(40) NOT NULL REFERENCES route_plans (ref) ON DELETE CASCADE,
    username varchar(64) NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    team integer NOT NULL CONSTRAINT route_plan_member_team CHECK (team >= 1),
    PRIMARY KEY (plan_ref, username)
);
CREATE INDEX ix_route_plan_members_username ON route_plan_members (username);

-- A visit sent from a phone. `client_id` is made on the phone when the visit is recorded: a
-- retry or a second tap sends the same id, and the unique key keeps one record.
CREATE TABLE field_visits (
    id serial PRIMARY KEY,
    client_id uuid NOT NULL,
    username varchar(64) NOT NULL,
    house_id integer NOT NULL REFERENCES houses (id) ON DELETE CASCADE,
    plan_ref varchar(40) REFERENCES route_plans (ref) ON DELETE SET NULL,
    team integer,
    status varchar(20) NOT NULL
        CONSTRAINT field_visit_status CHECK (status IN ('visited', 'no_access', 'refused')),
    visited_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    position geometry(Point, 4326),
    accuracy_m real CONSTRAINT field_visit_accuracy CHECK (accuracy_m >= 0),
    result jsonb
);
CREATE UNIQUE INDEX uq_field_visits_client_id ON field_visits (client_id);
CREATE INDEX ix_field_visits_plan_house ON field_visits (plan_ref, house_id);
CREATE INDEX ix_field_visits_position ON field_visits USING gist (position);

-- Photos taken on a visit, resized on the phone. The checksum is the content's, checked here.
CREATE TABLE visit_photos (
    id serial PRIMARY KEY,
    field_visit_id integer NOT NULL REFERENCES field_visits (id) ON DELETE CASCADE,
    house_id integer NOT NULL REFERENCES houses (id) ON DELETE CASCADE,
    sha256 char(64) NOT NULL,
    media_type varchar(20) NOT NULL
        CONSTRAINT visit_photo_type CHECK (media_type IN ('image/jpeg', 'image/png', 'image/webp')),
    width integer NOT NULL CONSTRAINT visit_photo_width CHECK (width > 0),
    height integer NOT NULL CONSTRAINT visit_photo_height CHECK (height > 0),
    bytes integer NOT NULL,
    data bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT visit_photo_checksum CHECK (sha256 = encode(sha256(data), 'hex')),
    CONSTRAINT visit_photo_bytes CHECK (bytes = octet_length(data))
);
CREATE UNIQUE INDEX uq_visit_photos_visit_sha ON visit_photos (field_visit_id, sha256);
CREATE INDEX ix_visit_photos_sha256 ON visit_photos (sha256);
CREATE INDEX ix_visit_photos_house ON visit_photos (house_id);

-- Who may be put in a team: enabled supervision-group and police accounts. The API roles
-- cannot read `users`; the planners see these names only.
CREATE FUNCTION patrol_members()
RETURNS TABLE (username text, display_name text, role text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.username::text, u.display_name::text, u.role::text
    FROM users u
    WHERE u.role IN ('supervisor', 'police') AND NOT u.disabled
      -- 'none': no SET ROLE, i.e. the owner (the CLI), not an API request
      AND (app_role() IN ('supervisor', 'police') OR current_setting('role') = 'none')
    ORDER BY u.role DESC, u.username
$$;
REVOKE ALL ON FUNCTION patrol_members() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION patrol_members() TO geo_api_supervisor, geo_api_police;

-- Access: members and plans are read as plans are (admin, leaders, planners) and written by
-- the planners; a phone's visit is written by its own user only; the village reads the visits
-- and photos of its own houses, as it reads review_visits.
ALTER TABLE route_plan_members ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON route_plan_members
    TO geo_api_admin, geo_api_leader, geo_api_supervisor, geo_api_police;
GRANT INSERT, DELETE ON route_plan_members TO geo_api_supervisor, geo_api_police;
CREATE POLICY route_plan_members_read ON route_plan_members FOR SELECT
    TO geo_api_admin, geo_api_leader, geo_api_supervisor, geo_api_police USING (true);
CREATE POLICY route_plan_members_write ON route_plan_members FOR ALL
    TO geo_api_supervisor, geo_api_police USING (true) WITH CHECK (true);

ALTER TABLE field_visits ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON field_visits
    TO geo_api_admin, geo_api_leader, geo_api_supervisor, geo_api_police, geo_api_village;
GRANT INSERT ON field_visits TO geo_api_supervisor, geo_api_police;
GRANT UPDATE (result) ON field_visits TO geo_api_supervisor, geo_api_police;
CREATE POLICY field_visits_read_all ON field_visits FOR SELECT
    TO geo_api_admin, geo_api_leader, geo_api_supervisor, geo_api_police USING (true);
CREATE POLICY field_visits_read_village ON field_visits FOR SELECT TO geo_api_village
    USING (house_id = ANY (ARRAY(SELECT id FROM houses WHERE unit_id = app_unit_id())));
CREATE POLICY field_visits_insert_own ON field_visits FOR INSERT
    TO geo_api_supervisor, geo_api_police
    WITH CHECK (username = current_setting('app.username', true));
CREATE POLICY field_visits_update_own ON field_visits FOR UPDATE
    TO geo_api_supervisor, geo_api_police
    USING (username = current_setting('app.username', true))
    WITH CHECK (username = current_setting('app.username', true));

ALTER TABLE visit_photos ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON visit_photos
    TO geo_api_admin, geo_api_leader, geo_api_supervisor, geo_api_police, geo_api_village;
GRANT INSERT ON visit_photos TO geo_api_supervisor, geo_api_police;
CREATE POLICY visit_photos_read_all ON visit_photos FOR SELECT
    TO geo_api_admin, geo_api_leader, geo_api_supervisor, geo_api_police USING (true);
CREATE POLICY visit_photos_read_village ON visit_photos FOR SELECT TO geo_api_village
    USING (house_id = ANY (ARRAY(SELECT id FROM houses WHERE unit_id = app_unit_id())));
CREATE POLICY visit_photos_insert_own ON visit_photos FOR INSERT
    TO geo_api_supervisor, geo_api_police
    WITH CHECK (field_visit_id = ANY (ARRAY(
        SELECT id FROM field_visits WHERE username = current_setting('app.username', true))));

-- Audit: every write of an API request, as for the other tables; a photo's row is logged
-- without its bytes (its checksum names it).
CREATE TRIGGER audit_write AFTER INSERT OR UPDATE OR DELETE ON route_plan_members FOR EACH ROW
    WHEN (coalesce(current_setting('app.username', true), '') <> '') EXECUTE FUNCTION audit_write();
CREATE TRIGGER audit_write AFTER INSERT OR UPDATE OR DELETE ON field_visits FOR EACH ROW
    WHEN (coalesce(current_setting('app.username', true), '') <> '') EXECUTE FUNCTION audit_write();

CREATE FUNCTION audit_photo_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    r visit_photos := coalesce(NEW, OLD);
    facts jsonb := jsonb_build_object('id', r.id, 'field_visit_id', r.field_visit_id,
                                      'house_id', r.house_id, 'sha256', r.sha256,
                                      'media_type', r.media_type, 'bytes', r.bytes);
BEGIN
    INSERT INTO audit_log (actor, action, table_name, record_key, before, after, detail)
    VALUES (app_actor(), lower(TG_OP), TG_TABLE_NAME, r.sha256,
            CASE WHEN TG_OP <> 'INSERT' THEN facts END, CASE WHEN TG_OP <> 'DELETE' THEN facts END,
            jsonb_strip_nulls(jsonb_build_object('role', app_role(), 'request', app_request())));
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION audit_photo_write() FROM PUBLIC;
CREATE TRIGGER audit_write AFTER INSERT OR UPDATE OR DELETE ON visit_photos FOR EACH ROW
    WHEN (coalesce(current_setting('app.username', true), '') <> '')
    EXECUTE FUNCTION audit_photo_write();

-- The response cache (docs/cache.md): the new tables bump the data version like every table.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['route_plan_members', 'field_visits', 'visit_photos']
    LOOP
        EXECUTE format('CREATE TRIGGER data_change_mark_ins AFTER INSERT ON %I '
                       'REFERENCING NEW TABLE AS changed FOR EACH STATEMENT '
                       'EXECUTE FUNCTION data_change_mark_rows()', t);
        EXECUTE format('CREATE TRIGGER data_change_mark_upd AFTER UPDATE ON %I '
                       'REFERENCING NEW TABLE AS changed FOR EACH STATEMENT '
                       'EXECUTE FUNCTION data_change_mark_rows()', t);
        EXECUTE format('CREATE TRIGGER data_change_mark_del AFTER DELETE ON %I '
                       'REFERENCING OLD TABLE AS changed FOR EACH STATEMENT '
                       'EXECUTE FUNCTION data_change_mark_rows()', t);
        EXECUTE format('CREATE TRIGGER data_change_mark AFTER TRUNCATE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION data_change_mark()', t);
    END LOOP;
END
$$;
