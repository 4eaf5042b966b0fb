"""The mutation score from ``mutmut results --all true`` (standard input), per module and in all.

Mutants listed in the "Equivalent mutants" section of the given Markdown file (lines starting with
``- `scoring.…__mutmut_N` ``) behave like the original code and are left out of the score; the rest
must be killed.
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

KILLED = {"killed", "caught by type check", "timeout"}  # a timeout is detected too


def main() -> int:
    """Print the counts per module and the score over the non-equivalent mutants."""
    equivalent: set[str] = set()
    if len(sys.argv) > 1:
        text = Path(sys.argv[1]).read_text(encoding="utf-8")
        section = text.split("\n## Equivalent mutants\n", 1)[-1].split("\n## ", 1)[0] if (
            "\n## Equivalent mutants\n" in text) else ""
        equivalent = set(re.findall(r"^- `(scoring\.[\w.ǁ]+__mutmut_\d+)`", section, flags=re.MULTILINE))
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    survivors: list[str] = []
    for line in sys.stdin:
        match = re.match(r"^\s*(scoring\.[\w.]+?)\.(x_\w+?|xǁ\w+?)__mutmut_(\d+): (.+?)\s*$", line)
        if not match:
            continue
        module, status = match[1], match[4]
        name = line.split(":")[0].strip()
        if name in equivalent:
            status = "equivalent"
        by_module[module][status] += 1
        if status not in KILLED | {"equivalent"}:
            survivors.append(f"{status}: {name}")
    total: Counter[str] = Counter()
    print(f"{'module':45} {'killed':>7} {'survived':>8} {'timeout':>7} {'equiv.':>6} {'other':>6}")
    for module in sorted(by_module):
        c = by_module[module]
        total.update(c)
        other = sum(v for k, v in c.items() if k not in KILLED | {"survived", "timeout", "equivalent"})
        print(f"{module:45} {c['killed'] + c['caught by type check']:7} {c['survived']:8} {c['timeout']:7}"
              f" {c['equivalent']:6} {other:6}")
    killed = total["killed"] + total["caught by type check"]
    detected = killed + total["timeout"]
    counted = sum(total.values()) - total["equivalent"]
    print(f"\n{sum(total.values())} mutants: {killed} killed, {total['survived']} survived, "
          f"{total['timeout']} timed out, {total['equivalent']} equivalent, "
          f"{counted - detected - total['survived']} other (not run, no tests, …)")
    if counted:
        print(f"score: {detected} detected (killed or timed out) / {counted} non-equivalent"
              f" = {100 * detected / counted:.1f} %")
    for survivor in survivors:
        print(survivor)
    return 0


if __name__ == "__main__":
    sys.exit(main())
