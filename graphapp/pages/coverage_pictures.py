"""The coverage page's pictures (issue 15 §3): gaps by region, and learning demand against expert supply
by topic, drawn here as inline SVG (no request leaves the page), each with a table that says the same for
screen readers and for anyone who prefers numbers.

A picture is rows of horizontal bars, each row's label above its bars, 360 units wide: on a phone it is
drawn at about its own size, so its words stay readable; on a wide screen the stylesheet caps its width.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

from graphapp.i18n import _, word

__all__ = ["bars_svg", "demand_rows", "region_rows"]

WIDTH = 360
LABEL = 15  # the height of a row's label line
BAR = 10  # the height of one bar
GAP = 8  # space after a row


def bars_svg(
    rows: Sequence[tuple[str, Sequence[int]]],
    series: Sequence[tuple[str, str]],
    title: str,
    *,
    stacked: bool,
) -> Markup:
    """Rows of horizontal bars as an inline SVG: ``rows`` are (label, one value per series), ``series``
    (css class, words) in the legend's order; stacked (one bar per row, its parts side by side) or
    grouped (a bar per series). Labels and words are escaped; the picture is hidden from screen readers,
    who read the table beside it.

    >>> svg = bars_svg([("Africa", [1, 2])], [("s3", "critical"), ("s2", "serious")], "Gaps", stacked=True)
    >>> svg.count("<rect"), "Africa" in svg
    (4, True)
    """
    most = max((sum(v) if stacked else max(v, default=0) for _, v in rows), default=0) or 1
    room = WIDTH - 40  # the rest: the number at the end of a bar
    y = 20
    parts = []
    x: float = 0
    for cls, words in series:  # the legend
        parts.append(f'<rect class="{cls}" x="{x}" y="4" width="10" height="10"/>')
        parts.append(f'<text x="{x + 14}" y="13">{escape(words)}</text>')
        x += 24 + 7 * len(words)
    y += 8
    for label, values in rows:
        parts.append(f'<text x="0" y="{y + 11}">{escape(label)}</text>')
        y += LABEL
        if stacked:
            x = 0
            for (cls, _words), v in zip(series, values, strict=True):
                w = room * v / most
                if v:
                    parts.append(f'<rect class="{cls}" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{BAR}"/>')
                x += w
            parts.append(f'<text class="n" x="{x + 4:.1f}" y="{y + 9}">{sum(values)}</text>')
            y += BAR
        else:
            for (cls, _words), v in zip(series, values, strict=True):
                w = room * v / most
                parts.append(f'<rect class="{cls}" x="0" y="{y}" width="{max(w, 1):.1f}" height="{BAR}"/>')
                parts.append(f'<text class="n" x="{w + 4:.1f}" y="{y + 9}">{v}</text>')
                y += BAR + 1
        y += GAP
    # (every text in it went through escape(); the rest is numbers and fixed words)
    return Markup(  # noqa: S704
        f'<svg class="bars" viewBox="0 0 {WIDTH} {y}" width="{WIDTH}" height="{y}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-hidden="true" focusable="false">'
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
    )


def region_rows(gaps: Sequence[Mapping[str, Any]], regions: Sequence[str]) -> list[dict[str, Any]]:
    """The gaps of each region by severity (every region listed, in ``regions``' order), then those of
    the whole network (topics, workstreams), as rows for the picture and its table.

    >>> rows = region_rows([{"region": "Asia", "severity": 3}, {"region": None, "severity": 1}], ["Asia", "Europe"])
    >>> [(r["region"], r["counts"]) for r in rows]
    [('Asia', [1, 0, 0]), ('Europe', [0, 0, 0]), (None, [0, 0, 1])]
    """
    counts: dict[str | None, list[int]] = {r: [0, 0, 0] for r in [*regions, None]}
    for g in gaps:
        row = counts.setdefault(g.get("region"), [0, 0, 0])
        row[3 - int(g["severity"])] += 1
    return [{"region": r, "counts": c} for r, c in counts.items()]


def demand_rows(demand: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The topics of the report's ``demand`` as rows: name, id, learners and experts."""
    return [{"topic": d["topic"], "name": d["name"], "counts": [d["learning"], d["expert"]]} for d in demand]


def pictures(report: Mapping[str, Any], regions: Sequence[str]) -> dict[str, Any]:
    """The two pictures of the coverage page with their rows (for the tables beside them)."""
    by_region = region_rows(report["gaps"], regions)
    severities = [("sev-3", _("critical")), ("sev-2", _("serious")), ("sev-1", _("worth a look"))]
    region_svg = bars_svg(
        [
            (
                word(r["region"], "region") if r["region"] else _("Whole network (topics, workstreams)"),
                r["counts"],
            )
            for r in by_region
        ],
        severities,
        _("Gaps by region"),
        stacked=True,
    )
    demand = demand_rows(report.get("demand", []))
    demand_svg = bars_svg(
        [(d["name"], d["counts"]) for d in demand],
        [("learning", _("learning")), ("expert", _("expert"))],
        _("Learning demand against expert supply"),
        stacked=False,
    )
    return {"by_region": by_region, "region_svg": region_svg, "demand": demand, "demand_svg": demand_svg}
