"""The repository stands alone: every relative link of README and docs/ names a file inside it.

A link to `../shared/…` or to a file that was renamed works on one machine and is dead
everywhere else.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _relative_links(page: Path) -> list[str]:
    links = _LINK.findall(page.read_text("utf-8"))
    return [t for t in links if not re.match(r"^[a-z]+:", t) and not t.startswith("#")]


def test_relative_links_stay_inside_the_repository():
    outside, dead = [], []
    for page in _pages():
        for target in _relative_links(page):
            path = (page.parent / target.split("#", 1)[0]).resolve()
            if not path.is_relative_to(ROOT):
                outside.append(f"{page.name}: {target}")
            elif not path.exists():
                dead.append(f"{page.name}: {target}")
    assert not outside, outside
    assert not dead, dead


def test_no_page_names_the_shared_folder():
    assert [p.name for p in _pages() if "shared/" in p.read_text("utf-8")] == []


def test_the_checker_sees_links():
    # README links its docs: an empty link list would make the tests above pass vacuously.
    assert "docs/rules.md" in _relative_links(ROOT / "README.md")
