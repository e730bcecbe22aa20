"""Boundaries of the plan's rules in Python (no database): rules.py, rubric.py, rates, ranks.

The deadline and overdue rules live in the database: tests/test_rules_deadline.py.

Every expected number is worked out by hand in the comment beside it.
"""

from dataclasses import replace
from importlib import resources

import pytest

from geo_service.analytics.scores import competition_ranks
from geo_service.analytics.table import rate
from geo_service.domain.rubric import load_rubric, score_sections, tenant_points_below
from geo_service.domain.rules import (
    RuleParams,
    cctv_required,
    cctv_triggers,
    cctv_violation,
    fire_kit_status,
    load_rule_params,
)

P = RuleParams()


# ---- CCTV rule (SPEC §3.4): ≥ 10 of rooms, beds or tenants ---------------------------------


@pytest.mark.parametrize(
    ("rooms", "beds", "tenants", "required", "triggers"),
    [
        (10, 0, 0, True, ["rooms"]),  # exactly 10 rooms → required
        (9, 0, 0, False, []),  # 9 rooms → not
        (0, 10, 0, True, ["beds"]),  # exactly 10 beds → required
        (0, 9, 0, False, []),
        (0, 0, 10, True, ["tenants"]),  # exactly 10 tenants → required
        (0, 0, 9, False, []),
        (9, 9, 9, False, []),  # 9/9/9: no threshold reached
        (10, 10, 10, True, ["rooms", "beds", "tenants"]),
    ],
)
def test_cctv_required_at_ten(rooms, beds, tenants, required, triggers):
    assert cctv_required(rooms, beds, tenants, P) is required
    assert cctv_triggers(rooms, beds, tenants, P) == triggers


@pytest.mark.parametrize(
    ("installed", "retention", "expected"),
    [
        (True, 30, None),  # 30 days kept = compliant
        (True, 29, "short_retention"),  # 29 days < 30
        (True, None, "short_retention"),  # retention unknown: not shown to be 30
        (False, 90, "missing"),
        (None, 90, "missing"),  # not recorded as installed
    ],
)
def test_cctv_retention_boundary(installed, retention, expected):
    assert cctv_violation(10, 0, 0, installed, retention, P) == expected
    # Not required (9 rooms): nothing to break, whatever is installed.
    assert cctv_violation(9, 0, 0, installed, retention, P) is None


def test_fire_kit_status():
    assert fire_kit_status(True, True, True) == "complete"
    assert fire_kit_status(True, False, None) == "incomplete"  # one recorded absent
    assert fire_kit_status(True, True, None) == "unchecked"  # one not recorded
    assert fire_kit_status(None, None, None) == "unchecked"


# ---- the rubric (SPEC §5) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("tenants", "registered", "floor_points", "proportional_points"),
    [
        (100, 95, 0.0, 0.0),  # exactly 95.0 % → nothing
        (10000, 9499, 0.0, 0.01),  # 94.99 %: 0.01 below → floor 0, proportional 0.01
        (100, 94, 1.0, 1.0),  # 94.0 % → 1 point
        (1000, 939, 1.0, 1.1),  # 93.9 % → 1.1 below → floor 1
        (0, 0, 0.0, 0.0),  # no tenants found → nothing to register, no deduction
        (20, 0, 95.0, 95.0),  # 0 % → 95 points below (the section floors at 0 later)
    ],
)
def test_tenant_points_below(tenants, registered, floor_points, proportional_points):
    assert tenant_points_below(tenants, registered, 95, "floor") == floor_points
    assert tenant_points_below(tenants, registered, 95, "proportional") == pytest.approx(
        proportional_points
    )


def _measures(**over):
    base = dict.fromkeys(
        (
            "task_list_missing",
            "annual_plan_missing",
            "houses_unregistered",
            "second_landlords_unregistered",
            "houses_without_pledge",
            "hazards_not_transferred",
            "hazards_overdue",
            "hazards_unrectified",
        ),
        0,
    )
    base |= {"tenants": 100, "registered_tenants": 100}
    return base | over


def _by_code(sections):
    return {s.code: s.score for s in sections}


def test_luoyang_rubric_sections():
    rubric = load_rubric()
    assert rubric.total_points == 100  # 15 + 10 + 10 + 10 + 5 + 20 + 30
    s = _by_code(
        score_sections(
            _measures(
                task_list_missing=1,  # −7.5 → 7.5/15
                houses_unregistered=3,  # −3 → 7/10
                registered_tenants=94,  # 94 % → −1 → 9/10
                second_landlords_unregistered=2,  # −2 → 8/10
                houses_without_pledge=3,  # −0.5 × 3 = −1.5 → 3.5/5
                hazards_not_transferred=4,  # −4 → 16/20
                hazards_overdue=5,  # −5 → 25/30
                hazards_unrectified=9,  # not in the Luoyang rubric: no effect
            ),
            rubric,
        )
    )
    assert s == {
        "responsibility": 7.5,
        "house_registration": 7,
        "tenant_registration": 9,
        "second_landlord_registration": 8,
        "pledge": 3.5,
        "hazard_transfer": 16,
        "hazard_rectification": 25,
    }


def test_sections_floor_at_zero():
    rubric = load_rubric()
    sections = score_sections(
        _measures(
            houses_without_pledge=11,  # −5.5 on 5 points → 0, deducted 5 (not 5.5)
            hazards_overdue=31,  # −31 on 30 → 0
            registered_tenants=0,  # 0 % → −95 on 10 → 0
        ),
        rubric,
    )
    by = {s.code: s for s in sections}
    assert by["pledge"].score == 0 and by["pledge"].deducted == 5
    assert by["hazard_rectification"].score == 0 and by["hazard_rectification"].deducted == 30
    assert by["tenant_registration"].score == 0


def test_rubric_variants_from_file(tmp_path):
    # A town that counts every unrectified hazard and deducts tenant points proportionally.
    src = resources.files("geo_service.domain").joinpath("rubric_luoyang.toml").read_text("utf-8")
    src = src.replace('mode = "floor"', 'mode = "proportional"').replace(
        'measure = "hazards_overdue"', 'measure = "hazards_unrectified"'
    )
    f = tmp_path / "rubric.toml"
    f.write_text(src, encoding="utf-8")
    s = _by_code(
        score_sections(
            _measures(tenants=10000, registered_tenants=9499, hazards_unrectified=2), load_rubric(f)
        )
    )
    assert s["tenant_registration"] == pytest.approx(9.99)  # 10 − 0.01
    assert s["hazard_rectification"] == 28  # 30 − 2 unrectified (none overdue)


# ---- rates and ranks --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("num", "den", "display"),
    [
        (94, 100, "94.0"),
        (2, 3, "66.7"),  # 66.666… → 66.7
        (1, 16, "6.3"),  # 6.25 → 6.3: half up, not to even
        (1, 8, "12.5"),
        (9499, 10000, "95.0"),  # 94.99 → 95.0 shown, yet the score loses nothing (floor)
        (0, 5, "0.0"),
        (0, 0, "—"),  # zero denominator
    ],
)
def test_rate_one_decimal(num, den, display):
    r = rate(num, den)
    assert r.display == display
    assert r.percent == (None if den == 0 else float(display))


def test_competition_ranks_share_ties():
    # 100, 100, 91, 79 → 1, 1, 3, 4 (the rank after a tie is skipped)
    assert competition_ranks([100.0, 100.0, 91.0, 79.0]) == [1, 1, 3, 4]
    assert competition_ranks([80.0, 90.0, 90.0]) == [3, 1, 1]
    # float noise from proportional deductions does not split a tie
    assert competition_ranks([0.1 + 0.2, 0.3]) == [1, 1]


def test_rule_params_default_values():
    # The packaged rules.toml is the plan's: 7 days, 3 months, 10/10/10, 30 days.
    assert load_rule_params() == replace(P)
