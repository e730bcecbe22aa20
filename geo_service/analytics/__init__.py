"""Analytics of the campaign as of a date D (SPEC §3.3–§6).

One module per analytic: `overdue` (逾期未整改), `scores` (附件1), `table` (附件2), `cctv`
(视频监控 / 消防器材), `risk` (风险排序), `bulletin` (月度通报). Each takes a `Scope`
(`geo_service.scope`: the as-of date and the filters every surface shares, docs/filters.md).
The rules they apply come from
`geo_service.domain.rules` and `geo_service.domain.rubric`; the set-based SQL that applies the
same rules to many rows lives in `sql/`, with the deadline and CCTV expressions written once
(`sql/_hazard_state.sql`, `sql/_house_scope.sql`) and checked against `rules.py` by the tests.
"""
