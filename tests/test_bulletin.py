"""The monthly bulletin of May 2026 on the hand-made town: ranking, changes, overdue, images."""

import base64
import re
from datetime import date

import pytest
from analytics_data import load
from sqlalchemy import text

from geo_service.analytics.bulletin import bulletin_data, html_to_pdf, pdf_engine, render_html
from geo_service.domain.rubric import load_rubric
from geo_service.domain.rules import load_rule_params
from geo_service.errors import ValidationError
from geo_service.scope import make_scope

TODAY = date(2026, 7, 15)


@pytest.fixture(scope="module")
def data(engine):
    load(engine)
    with engine.connect() as conn:
        return bulletin_data(
            conn, "2026-05", make_scope(), load_rule_params(), load_rubric(), today=TODAY
        )


def test_ranking_and_changes_since_last_month(data):
    assert data["as_of"] == date(2026, 5, 31) and data["prev_as_of"] == date(2026, 4, 30)
    rows = {r["unit"]: r for r in data["ranking"]}
    # 甲村 on Apr 30: houses as in May (46 of the first 50 points: 15 + 9 + 9 + 9 + 4);
    # hazards counted HA-3 (due Apr 30 = D: not overdue; transferred only Jun 3) and HA-7
    # (transferred) → transfer 19, rectification 30 → 95. May: 91 → −4.
    assert (rows["甲村"]["prev_total"], rows["甲村"]["total"], rows["甲村"]["delta"]) == (
        95,
        91,
        -4,
    )
    # 乙社区 on Apr 30: HB-1 not found yet → transfer 20 → 80; May 79 → −1.
    assert rows["乙社区"]["delta"] == -1 and rows["乙社区"]["prev_rank"] == 4
    assert rows["甲村"]["prev_rank"] == 3  # 100, 100, 95, 80 → 1, 1, 3, 4
    # Found in May: HA-1, HA-2, HA-4, HA-6 (甲村) + HB-1 = 5; rectified in May: HA-4, HA-7 = 2
    assert (data["found_in_month"], data["rectified_in_month"]) == (5, 2)
    assert data["overdue_total"] == 2
    assert data["overdue_by_unit"] == [("甲村", {"major": 1, "general": 1, "max_days": 31})]


def test_html_has_tables_and_images(data):
    html = render_html(data)
    assert "群租房安全管理大检查通报（2026年5月）" in html
    assert "▼4.0" in html and "▼1.0" in html
    pngs = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(pngs) == 2  # density map and trend chart
    assert all(base64.b64decode(p)[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    assert "HA-3" in html and "电力公司" in html  # longest overdue, with its department


def test_pdf_with_chromium(data, tmp_path):
    assert pdf_engine() is not None  # setup.sh installs chromium: the PDF path must work
    html = tmp_path / "b.html"
    html.write_text(render_html(data), encoding="utf-8")
    pdf = tmp_path / "b.pdf"
    assert html_to_pdf(html, pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_future_month_rejected(engine):
    with engine.connect() as conn, pytest.raises(ValidationError):
        bulletin_data(conn, "2026-08", make_scope(), load_rule_params(), load_rubric(), today=TODAY)


def test_synthetic_label(engine, data):
    assert data["synthetic"] is False  # hand-made rows, no demo marker
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO meta (key, value) VALUES ('dataset', '{\"synthetic\": true}')")
        )
    with engine.connect() as conn:
        again = bulletin_data(
            conn, "2026-05", make_scope(), load_rule_params(), load_rubric(), today=TODAY
        )
    assert again["synthetic"] is True
    assert "演示数据（合成）" in render_html(again)
