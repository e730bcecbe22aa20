-- House history (docs/history.md): every as-of figure uses the house as recorded on that day.
--
-- `houses` holds each house's current version; `valid_from` is the day its figures took
-- effect ('-infinity': recorded before history began, or written without a date).
-- `house_versions` holds the superseded and back-dated versions, each for [valid_from,
-- valid_to), contiguous and never overlapping per house, all ending on or before the house's
-- current valid_from. `house_state(d)` is every house as it stood on day d; every as-of
-- surface reads it, as it reads hazard_state(d).
--
-- Versioned: the figures the plan scores and the map shows (counts, registration, pledge,
-- CCTV, self-built, last inspection, equipment, electricity). Not versioned: the house's
-- identity and place (house_code, unit_id, address, geom, geocode fields: a corrected point or
-- address is a correction, not a change of the house) and the landlords' personal data (kept
-- once, masked in audits; history would multiply copies of it). has_second_landlord, derived
-- from the name, is versioned as the flag alone.
--
-- Writes: a writer says when its figures take effect in the transaction-local setting
-- geo.effective (imports: --effective; API requests: the town's today). The triggers below
-- keep the history in the writing transaction, for every writer alike. A write that names no
-- date corrects the current version in place (the owner's fix-ups, restores).

CREATE EXTENSION IF NOT EXISTS btree_gist;

ALTER TABLE houses ADD COLUMN valid_from date NOT NULL DEFAULT '-infinity';
GRANT SELECT (valid_from) ON houses TO geo_api;

CREATE TABLE house_versions (
    house_id integer NOT NULL REFERENCES houses (id) ON DELETE CASCADE,
    valid_from date NOT NULL,
    valid_to date NOT NULL,
    rooms integer NOT NULL,
    beds integer NOT NULL,
    tenants integer NOT NULL,
    registered_tenants integer NOT NULL,
    is_registered boolean NOT NULL,
    pledge_signed boolean NOT NULL,
    has_second_landlord boolean NOT NULL,
    second_landlord_registered boolean,
    cctv_installed boolean,
    cctv_retention_days integer,
    is_self_built boolean,
    last_inspected_on date,
    has_smoke_masks boolean,
    has_torches boolean,
    has_extinguishers boolean,
    electricity_kwh_month double precision,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (house_id, valid_from),
    CONSTRAINT house_version_period CHECK (valid_from < valid_to),
    CONSTRAINT house_version_no_overlap
        EXCLUDE USING gist (house_id WITH =, daterange(valid_from, valid_to) WITH &&)
);
-- house_state(d) finds the versions covering d by their end.
CREATE INDEX ix_house_versions_valid_to ON house_versions (valid_to, valid_from);

-- The day the current transaction's writes take effect; NULL: not said.
CREATE FUNCTION house_effective_on() RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CAST(nullif(current_setting('geo.effective', true), '') AS date)
$$;

-- Who wrote history: the uploader of a web import, else the API user or the session.
CREATE FUNCTION house_history_actor() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('app.import_actor', true), ''), app_actor())
$$;

-- A new house exists from the day its first record takes effect.
CREATE FUNCTION houses_history_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.valid_from := coalesce(house_effective_on(), NEW.valid_from);
    RETURN NEW;
END
$$;

-- Figures of a house, as jsonb, for comparing versions and for the audit rows.
CREATE FUNCTION house_figures(
    rooms integer, beds integer, tenants integer, registered_tenants integer,
    is_registered boolean, pledge_signed boolean, has_second_landlord boolean,
    second_landlord_registered boolean, cctv_installed boolean, cctv_retention_days integer,
    is_self_built boolean, last_inspected_on date, has_smoke_masks boolean, has_torches boolean,
    has_extinguishers boolean, electricity_kwh_month double precision
) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT jsonb_build_object(
        'rooms', rooms, 'beds', beds, 'tenants', tenants,
        'registered_tenants', registered_tenants, 'is_registered', is_registered,
        'pledge_signed', pledge_signed, 'has_second_landlord', has_second_landlord,
        'second_landlord_registered', second_landlord_registered,
        'cctv_installed', cctv_installed, 'cctv_retention_days', cctv_retention_days,
        'is_self_built', is_self_built, 'last_inspected_on', last_inspected_on,
        'has_smoke_masks', has_smoke_masks, 'has_torches', has_torches,
        'has_extinguishers', has_extinguishers, 'electricity_kwh_month', electricity_kwh_month)
$$;

-- The figures of house `hid`'s version covering day d in the history (NULL: none does). An
-- import dated before a house's current figures compares its figures with these.
CREATE FUNCTION house_figures_on(hid integer, d date) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT house_figures(v.rooms, v.beds, v.tenants, v.registered_tenants, v.is_registered,
                         v.pledge_signed, v.has_second_landlord, v.second_landlord_registered,
                         v.cctv_installed, v.cctv_retention_days, v.is_self_built,
                         v.last_inspected_on, v.has_smoke_masks, v.has_torches,
                         v.has_extinguishers, v.electricity_kwh_month)
    FROM house_versions v
    WHERE v.house_id = hid AND v.valid_from <= d AND d < v.valid_to
$$;

-- Store figures `f` (house_figures' jsonb) for house `hid` from day `e` until the next
-- version starts: the version covering e is split at e (or, starting on e, overwritten).
-- Returns the covering version's figures before the change (NULL: none covered e).
CREATE FUNCTION house_versions_put(hid integer, e date, f jsonb, house_valid_from date)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v house_versions%ROWTYPE;
    was jsonb;
    upto date;
BEGIN
    SELECT * INTO v FROM house_versions
    WHERE house_id = hid AND valid_from <= e AND e < valid_to FOR UPDATE;
    IF FOUND THEN
        was := house_figures(v.rooms, v.beds, v.tenants, v.registered_tenants,
                             v.is_registered, v.pledge_signed, v.has_second_landlord,
                             v.second_landlord_registered, v.cctv_installed,
                             v.cctv_retention_days, v.is_self_built, v.last_inspected_on,
                             v.has_smoke_masks, v.has_torches, v.has_extinguishers,
                             v.electricity_kwh_month);
        IF was = f THEN
            RETURN was;
        END IF;
        upto := v.valid_to;
        IF v.valid_from = e THEN
            DELETE FROM house_versions WHERE house_id = hid AND valid_from = e;
        ELSE
            UPDATE house_versions SET valid_to = e WHERE house_id = hid AND valid_from = v.valid_from;
        END IF;
    ELSE
        upto := coalesce((SELECT min(valid_from) FROM house_versions
                          WHERE house_id = hid AND valid_from > e), house_valid_from);
    END IF;
    INSERT INTO house_versions (
        house_id, valid_from, valid_to, rooms, beds, tenants, registered_tenants,
        is_registered, pledge_signed, has_second_landlord, second_landlord_registered,
        cctv_installed, cctv_retention_days, is_self_built, last_inspected_on, has_smoke_masks,
        has_torches, has_extinguishers, electricity_kwh_month)
    SELECT hid, e, upto, x.rooms, x.beds, x.tenants, x.registered_tenants, x.is_registered,
           x.pledge_signed, x.has_second_landlord, x.second_landlord_registered,
           x.cctv_installed, x.cctv_retention_days, x.is_self_built, x.last_inspected_on,
           x.has_smoke_masks, x.has_torches, x.has_extinguishers, x.electricity_kwh_month
    FROM jsonb_populate_record(NULL::house_versions, f) x;
    RETURN was;
END
$$;

-- An update that changes a house's figures, effective on e (geo.effective):
--   e > current valid_from   the current figures become a version [valid_from, e); the new
--                            ones are current from e
--   e = current valid_from   a same-day correction: overwritten in place
--   e < current valid_from   a back-dated 台账 (September's sent after October's): its figures
--                            are stored for [e, next version) and audited; the current record
--                            — figures, address, landlords, point — stays the later one's
-- SECURITY DEFINER: house_versions is written only here (no API role may write it); the
-- caller was already allowed to update this row of houses.
CREATE FUNCTION houses_history_update() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    e date := house_effective_on();
    -- generated columns are computed after BEFORE triggers: derive the flag as 0004 does
    new_second boolean := nullif(btrim(NEW.second_landlord_name), '') IS NOT NULL;
    old_f jsonb := house_figures(OLD.rooms, OLD.beds, OLD.tenants, OLD.registered_tenants,
                                 OLD.is_registered, OLD.pledge_signed, OLD.has_second_landlord,
                                 OLD.second_landlord_registered, OLD.cctv_installed,
                                 OLD.cctv_retention_days, OLD.is_self_built,
                                 OLD.last_inspected_on, OLD.has_smoke_masks, OLD.has_torches,
                                 OLD.has_extinguishers, OLD.electricity_kwh_month);
    new_f jsonb := house_figures(NEW.rooms, NEW.beds, NEW.tenants, NEW.registered_tenants,
                                 NEW.is_registered, NEW.pledge_signed, new_second,
                                 NEW.second_landlord_registered, NEW.cctv_installed,
                                 NEW.cctv_retention_days, NEW.is_self_built,
                                 NEW.last_inspected_on, NEW.has_smoke_masks, NEW.has_torches,
                                 NEW.has_extinguishers, NEW.electricity_kwh_month);
    was jsonb;
    kept houses%ROWTYPE;
BEGIN
    IF e IS NULL OR old_f = new_f THEN
        RETURN NEW;
    END IF;
    IF e >= OLD.valid_from THEN
        IF e > OLD.valid_from THEN
            INSERT INTO house_versions (
                house_id, valid_from, valid_to, rooms, beds, tenants, registered_tenants,
                is_registered, pledge_signed, has_second_landlord, second_landlord_registered,
                cctv_installed, cctv_retention_days, is_self_built, last_inspected_on,
                has_smoke_masks, has_torches, has_extinguishers, electricity_kwh_month)
            VALUES (OLD.id, OLD.valid_from, e, OLD.rooms, OLD.beds, OLD.tenants,
                    OLD.registered_tenants, OLD.is_registered, OLD.pledge_signed,
                    OLD.has_second_landlord, OLD.second_landlord_registered,
                    OLD.cctv_installed, OLD.cctv_retention_days, OLD.is_self_built,
                    OLD.last_inspected_on, OLD.has_smoke_masks, OLD.has_torches,
                    OLD.has_extinguishers, OLD.electricity_kwh_month);
        END IF;
        NEW.valid_from := e;
        RETURN NEW;
    END IF;
    was := house_versions_put(OLD.id, e, new_f, OLD.valid_from);
    IF was IS DISTINCT FROM new_f THEN
        INSERT INTO audit_log (actor, action, table_name, record_key, before, after, detail)
        VALUES (house_history_actor(), 'backdate', 'house_versions', OLD.house_code, was, new_f,
                jsonb_strip_nulls(jsonb_build_object(
                    'effective', e, 'backdated', true, 'current_from', OLD.valid_from,
                    'role', app_role(), 'request', app_request())));
    END IF;
    kept := OLD;
    kept.updated_at := NEW.updated_at;
    RETURN kept;
END
$$;

CREATE TRIGGER houses_history_insert BEFORE INSERT ON houses
    FOR EACH ROW EXECUTE FUNCTION houses_history_insert();
-- Named to run after other BEFORE triggers (alphabetical): it sees the row as it will be.
CREATE TRIGGER houses_zz_history BEFORE UPDATE ON houses
    FOR EACH ROW WHEN (house_effective_on() IS NOT NULL)
    EXECUTE FUNCTION houses_history_update();
REVOKE ALL ON FUNCTION house_versions_put(integer, date, jsonb, date) FROM PUBLIC;

-- Every house as it stood on day d: the current versions in effect on d, and the versions
-- covering d with the houses' unversioned columns. A house whose first version starts after d
-- did not exist on d. valid_to is NULL for a current version. No landlord personal data (as
-- the columns granted on houses). Plain SQL, STABLE, invoker's rights: PostgreSQL inlines it,
-- filters reach the indexes, and row-level security applies as to the tables themselves.
-- The day's filter on the current versions stands outside the UNION ALL: a branch with a WHERE
-- of its own cannot be flattened into the append and costs a Subquery Scan node per house
-- (+40 % on a count of 900,000 houses); without it the current branch is the plain scan of
-- houses, index and all.
CREATE FUNCTION house_state(d date)
RETURNS TABLE (
    id integer, house_code text, unit_id integer, address text,
    second_landlord_registered boolean, has_second_landlord boolean, rooms integer,
    beds integer, tenants integer, registered_tenants integer, is_registered boolean,
    pledge_signed boolean, cctv_installed boolean, cctv_retention_days integer,
    is_self_built boolean, last_inspected_on date, has_smoke_masks boolean,
    has_torches boolean, has_extinguishers boolean, electricity_kwh_month double precision,
    geom geometry, geocode_method text, geocode_confidence double precision,
    needs_review boolean, updated_at timestamptz, valid_from date, valid_to date
)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT * FROM (
    SELECT h.id, CAST(h.house_code AS text), h.unit_id, h.address,
           h.second_landlord_registered, h.has_second_landlord, h.rooms, h.beds, h.tenants,
           h.registered_tenants, h.is_registered, h.pledge_signed, h.cctv_installed,
           h.cctv_retention_days, h.is_self_built, h.last_inspected_on, h.has_smoke_masks,
           h.has_torches, h.has_extinguishers, h.electricity_kwh_month, CAST(h.geom AS geometry),
           CAST(h.geocode_method AS text), h.geocode_confidence, h.needs_review, h.updated_at,
           h.valid_from, CAST(NULL AS date)
    FROM houses h
    UNION ALL
    SELECT h.id, CAST(h.house_code AS text), h.unit_id, h.address,
           v.second_landlord_registered, v.has_second_landlord, v.rooms, v.beds, v.tenants,
           v.registered_tenants, v.is_registered, v.pledge_signed, v.cctv_installed,
           v.cctv_retention_days, v.is_self_built, v.last_inspected_on, v.has_smoke_masks,
           v.has_torches, v.has_extinguishers, v.electricity_kwh_month, CAST(h.geom AS geometry),
           CAST(h.geocode_method AS text), h.geocode_confidence, h.needs_review, h.updated_at,
           v.valid_from, v.valid_to
    FROM house_versions v
    JOIN houses h ON h.id = v.house_id
    WHERE v.valid_from <= d AND d < v.valid_to
  ) s
  WHERE s.valid_from <= d
$$;
-- A house's 自建房 flag on day d, for the surfaces that reach a house through its hazards and
-- read only its unversioned columns besides (the hazards layer, the analytics' house filter
-- on hazards): the current flag, else the version's covering d (NULL: no record on d). Inlined
-- where it is read; the look-up runs only for houses whose figures changed after d.
CREATE FUNCTION house_self_built_on(hid integer, current_from date, current_flag boolean,
                                    d date) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN current_from <= d THEN current_flag
                ELSE (SELECT v.is_self_built FROM house_versions v
                      WHERE v.house_id = hid AND v.valid_from <= d AND d < v.valid_to) END
$$;
GRANT EXECUTE ON FUNCTION house_state(date), house_effective_on(),
                          house_self_built_on(integer, date, boolean, date) TO geo_api;

-- Read as the houses are: each role the versions of the houses it may see. Written only by
-- the history trigger (SECURITY DEFINER), so no API role holds a write privilege.
ALTER TABLE house_versions ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON house_versions TO geo_api;
CREATE POLICY house_versions_read_all ON house_versions FOR SELECT
    TO geo_api_admin, geo_api_leader, geo_api_supervisor, geo_api_police USING (true);
CREATE POLICY house_versions_read_village ON house_versions FOR SELECT TO geo_api_village
    USING (house_id = ANY (ARRAY(SELECT id FROM houses WHERE unit_id = app_unit_id())));
CREATE POLICY house_versions_read_department ON house_versions FOR SELECT
    TO geo_api_department
    USING (house_id = ANY (ARRAY(SELECT house_id FROM hazards
                                 WHERE department_id = app_department_id())));

-- An upload's 台账日期 (POST /imports, form field `effective`), kept with its record.
ALTER TABLE import_jobs ADD COLUMN effective date;

-- The response cache's answers depend on the history too (docs/cache.md).
CREATE TRIGGER data_change_mark_ins AFTER INSERT ON house_versions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION data_change_mark_rows();
CREATE TRIGGER data_change_mark_upd AFTER UPDATE ON house_versions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION data_change_mark_rows();
CREATE TRIGGER data_change_mark_del AFTER DELETE ON house_versions
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION data_change_mark_rows();
CREATE TRIGGER data_change_mark AFTER TRUNCATE ON house_versions
    FOR EACH STATEMENT EXECUTE FUNCTION data_change_mark();
