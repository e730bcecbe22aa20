"""Analytics of the campaign as of a date D (SPEC §3.3–§6).

One module per analytic: `overdue` (逾期未整改), `scores` (附件1), `table` (附件2), `cctv`
(视频监控 / 消防器材), `risk` (风险排序), `bulletin` (月度通报). Each takes a `Scope`
(`geo_service.scope`: the as-of date and the filters every surface shares, docs/filters.md).
A hazard's state on D is the database's `hazard_state(D)` (`sql/_hazards.sql` reads it under
the scope); the CCTV and fire-kit rules are written once in `sql/_house_scope.sql` and checked
against `geo_service.domain.rules` by the tests; the rubric is `geo_service.domain.rubric`.
"""
