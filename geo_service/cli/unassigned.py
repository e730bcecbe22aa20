"""What `routes plan` says about the targets it could not place (未排入): a count per reason
and the first few, highest priority first — not thousands of lines on a city (`--json`
keeps every one)."""

from collections import Counter

FIRST = 5


def summary_lines(unassigned: list[dict], first: int = FIRST) -> list[str]:
    """Lines for the terminal; `unassigned` as a plan holds it (highest priority first)."""
    if not unassigned:
        return []
    by_reason = Counter(u["reason_zh"] for u in unassigned)
    lines = [f"未排入 unassigned {len(unassigned)} 处，按原因 by reason:"]
    lines += [f"  {n:>6}  {reason}" for reason, n in by_reason.most_common()]
    lines.append(f"前 {min(first, len(unassigned))} 处 first, by priority:")
    lines += [
        f"  {u['house_code']} (优先级 {u['priority']}): {u['reason_zh']}"
        for u in unassigned[:first]
    ]
    if len(unassigned) > first:
        lines.append(f"  … 另有 {len(unassigned) - first} 处，--json 列出全部 (all with --json)")
    return lines
