-- Risk ranking (风险排序) as a maintained table: today's town-wide ranking, refreshed in the
-- background after the data change (geo_service/analytics/risk_table.py), so the API, the CLI,
-- the map and the patrol targets read it instead of scoring 900,000 houses per request.
--
-- Generic on purpose: `method` names what produced the scores — 'weighted' is the explainable
-- weighted sum of risk_weights.toml; a learned model writes its own method name through the
-- same two tables. `audience` is how much of the incidents the score may reflect, as
-- incident_counts_near() gives it per role: 'exact' (police, the owner), 'coarse' (leaders,
-- supervision group: the fixed grid over ended months), 'none' (everyone else).

-- One row per method and audience: what the rows below were computed from, and when.
CREATE TABLE risk_ranking_runs (
    method text NOT NULL,
    audience text NOT NULL CHECK (audience IN ('exact', 'coarse', 'none')),
    as_of date NOT NULL,                 -- the day the scores are "as of" (town date)
    computed_at timestamptz NOT NULL,    -- when the refresh committed its snapshot
    inputs_fingerprint text NOT NULL,    -- weights, rules and method version (risk_table.py)
    data_version bigint NOT NULL,        -- data_version.version the snapshot saw
    houses_scored integer NOT NULL,
    took_ms integer NOT NULL,
    PRIMARY KEY (method, audience)
);

-- One row per house, method and audience. UNLOGGED: it is derived, and a crash only empties it
-- (the next refresh fills it again; meanwhile rankings are computed live).
CREATE UNLOGGED TABLE risk_ranking (
    method text NOT NULL,
    audience text NOT NULL,
    house_id integer NOT NULL,            -- no foreign key: a deleted house drops out by join
    house_code text NOT NULL,             -- the tie-break of equal scores, as the live order
    score double precision NOT NULL,
    -- The non-zero factor values v_* and points p_* ('none' rows: all of them; 'exact' and
    -- 'coarse' rows: what the audience adds to the house's 'none' row, the incidents).
    factors jsonb NOT NULL,
    PRIMARY KEY (method, audience, house_id)
);
-- The rank is the position in this order (score, then house code), read off the index, not a
-- stored number: a stored rank would rewrite every house below one whose score changed, while
-- a refresh after an import rewrites only the houses whose score or factors changed.
CREATE INDEX ix_risk_ranking_order ON risk_ranking (method, audience, score DESC, house_code);

-- The API roles read the rows of their own audience only (incidents stay the police's).
GRANT SELECT ON risk_ranking, risk_ranking_runs TO geo_api;
ALTER TABLE risk_ranking ENABLE ROW LEVEL SECURITY;
CREATE POLICY risk_ranking_read ON risk_ranking FOR SELECT TO geo_api USING (
    audience = 'none'
    OR (audience = 'coarse' AND app_role() IN ('leader', 'supervisor'))
    OR (audience = 'exact' AND app_role() = 'police')
);
