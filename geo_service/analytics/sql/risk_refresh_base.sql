-- Refresh of the maintained ranking, step 1: every house's incident-free factors as of today
-- (_risk_base.sql, as the live ranking computes them), kept for this transaction.
CREATE TEMP TABLE risk_base ON COMMIT DROP AS
WITH hs AS (
    -- @include _house_scope.sql
), zs AS (
    -- @include _hazards.sql
),
-- @include _risk_base.sql
SELECT * FROM base
