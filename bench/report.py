"""The benchmark's rows, printed as an aligned table and written as JSON."""

import json
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.pages import Page
from bench.timing import Sample

RESULTS = Path(__file__).resolve().parent / "results"


def target_ms(small: float) -> float:
    """What the large district may take: 1.3 × the small one's median, or 5 ms more."""
    return max(1.3 * small, small + 5)


def row(page: Page, role: str, by_site: dict[str, Sample]) -> dict[str, Any]:
    small, large = by_site["small"], by_site.get("large")
    entry: dict[str, Any] = {
        "page": page.name,
        "endpoint": page.endpoint,
        "role": role,
        "url": {name: s.url for name, s in by_site.items()},
        "status": {name: s.status for name, s in by_site.items()},
        "statements": {name: s.statements for name, s in by_site.items()},
        "median_ms": {name: round(s.median, 2) for name, s in by_site.items()},
        "bytes": {name: s.size for name, s in by_site.items()},
    }
    if large is not None:
        entry["ratio"] = round(large.median / small.median, 2)
        entry["meets_target"] = large.median <= target_ms(small.median)
    return entry


def _cells(entry: dict[str, Any]) -> list[str]:
    stmts, ms, size = entry["statements"], entry["median_ms"], entry["bytes"]
    statuses = {s for s in entry["status"].values()}
    cells = [entry["page"], entry["role"], "/".join(str(n) for n in stmts.values())]
    cells += [f"{v:.1f}" for v in ms.values()]
    if "ratio" in entry:
        cells.append(f"{entry['ratio']:.2f}")
    cells.append("/".join(f"{n:,}" for n in size.values()))
    if "meets_target" in entry:
        cells.append("ok" if entry["meets_target"] else "SLOW")
    if statuses != {200}:
        cells[-1] += " status " + "/".join(str(s) for s in entry["status"].values())
    return cells


def table(rows: list[list[str]], heading: list[str]) -> str:
    """Aligned columns in Markdown, so the printed table pastes into the README as it is."""
    widths = [max(len(r[i]) for r in [heading, *rows]) for i in range(len(heading))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(heading), rule, *(line(r) for r in rows)])


def pages_table(entries: list[dict[str, Any]], sizes: list[str]) -> str:
    heading = ["page", "role", "statements", *(f"ms {s}" for s in sizes)]
    if len(sizes) > 1:
        heading.append("ratio")
    heading.append("bytes")
    if len(sizes) > 1:
        heading.append("target")
    return table([_cells(e) for e in entries], heading)


def rps_table(served: dict[str, dict[str, float]]) -> str:
    rows = [
        [key, f"{v['app']:.1f}", f"{v['floor']:.1f}", f"{100 * v['app'] / v['floor']:.1f} %"]
        for key, v in served.items()
        if v["floor"]
    ]
    return table(rows, ["page role", "app rps", "floor rps", "app ÷ floor"])


def write(backend: str, document: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    document = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {platform.machine()} {platform.python_version()}",
        **document,
    }
    path = RESULTS / f"{backend}.json"
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path
