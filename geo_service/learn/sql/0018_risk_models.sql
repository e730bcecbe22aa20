-- The learned risk models (学习模型, docs/risk.md): each fit is stored with what it was trained
-- on and how its back-test went; at most one is active. `model` holds the fitted estimator as
-- joblib bytes, and loading such bytes runs code: only the owner (the `geo-service risk train`
-- process) may write this table. API roles read it to score, never write it.
CREATE TABLE risk_models (
    version serial PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    algorithm varchar(20) NOT NULL
        CONSTRAINT risk_model_algorithm CHECK (algorithm IN ('logistic', 'gbm')),
    label varchar(10) NOT NULL CONSTRAINT risk_model_label CHECK (label IN ('any', 'major')),
    features jsonb NOT NULL,
    train_from date NOT NULL,
    train_to date NOT NULL,
    n_train integer NOT NULL,
    n_positive integer NOT NULL,
    metrics jsonb NOT NULL,
    beats_weights boolean NOT NULL,
    model bytea NOT NULL,
    sha256 char(64) NOT NULL,
    active boolean NOT NULL DEFAULT false,
    CONSTRAINT risk_model_window CHECK (train_from <= train_to),
    CONSTRAINT risk_model_checksum CHECK (sha256 = encode(sha256(model), 'hex'))
);
CREATE UNIQUE INDEX uq_risk_models_active ON risk_models (active) WHERE active;
GRANT SELECT ON risk_models TO geo_api;

-- The model's incident feature is the coarse count the leaders and the supervision group may
-- know (migration 0013): incidents of the house's cell on the fixed 250 m grid over the whole
-- months of incident_months(until, since, until), cells under 3 left out. So an explanation
-- shown to them reveals nothing they could not see on the hot-spot map, and training (as the
-- owner) and scoring (as any role) compute the same feature. Administrators, village staff and
-- departments get nothing (their ranking's incident feature is 0, as for the weights).
CREATE FUNCTION risk_incident_cells(since date, until date)
RETURNS TABLE (cell bigint, n bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp AS $$
DECLARE
    w record;
BEGIN
    IF NOT (app_role() IN ('leader', 'supervisor', 'police') OR current_setting('role') = 'none')
    THEN
        RETURN;
    END IF;
    SELECT * INTO w FROM incident_months(until, since, until);
    IF w.since > w.until THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT c.cell, c.n FROM incident_cells(w.since, w.until, NULL) c;
END
$$;
REVOKE ALL ON FUNCTION risk_incident_cells(date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION risk_incident_cells(date, date) TO geo_api;

-- A new fit (or another active model) changes the ranking: the response cache's answers
-- depend on this table too (docs/cache.md).
CREATE TRIGGER data_change_mark_ins AFTER INSERT ON risk_models
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION data_change_mark_rows();
CREATE TRIGGER data_change_mark_upd AFTER UPDATE ON risk_models
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION data_change_mark_rows();
CREATE TRIGGER data_change_mark_del AFTER DELETE ON risk_models
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION data_change_mark_rows();
CREATE TRIGGER data_change_mark AFTER TRUNCATE ON risk_models
    FOR EACH STATEMENT EXECUTE FUNCTION data_change_mark();
