-- Undo 0017: the rankings are computed live again.
DROP TABLE IF EXISTS risk_ranking;
DROP TABLE IF EXISTS risk_ranking_runs;
