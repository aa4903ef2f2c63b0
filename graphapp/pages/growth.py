"""The network over time: how the network grew month by month (a page linked from the coverage page, which
shows the report as it stood on a chosen day) (charts drawn here with matplotlib, served as SVG by the app; the numbers as a table
and as CSV). For coordinators."""

from __future__ import annotations

import csv
import io
import warnings
from typing import Any

from flask import Response, render_template, request

from graphapp import reports
from graphapp.analytics.growth import MEASURES
from graphapp.db import get_store
from graphapp.exports import neutralise
from graphapp.i18n import _, _l, word
from graphapp.pages import bp
from graphapp.params import growth_by_arg

#: What each count is, in the words the page and the charts use.
MEASURE_WORDS = {
    "members": _l("Members"),
    "organisations": _l("Organisations they come from"),
    "countries": _l("Countries they come from"),
    "contacts": _l("Contacts between them"),
}


def growth_tables(found: dict[str, Any]) -> dict[str, Any]:
    """The growth as the page's tables show it: per grouping, a row per month."""
    months = found["months"]
    names = found["names"]["workstream"]
    tables: dict[str, Any] = {"months": months, "measures": MEASURE_WORDS, "today": found["today"]}
    network = found["series"]["network"][""]
    tables["network"] = [{"month": m, **{k: network[k][i] for k in MEASURES}} for i, m in enumerate(months)]
    for by in ("workstream", "region"):
        groups = found["series"][by]
        tables[by] = {
            "groups": [_label(by, g, names) for g in groups],
            "rows": [
                {"month": m, "members": [groups[g]["members"][i] for g in groups]}
                for i, m in enumerate(months)
            ],
        }
    return tables


def _label(by: str, group: str, names: dict[str, str]) -> str:
    if by == "workstream":
        name = names.get(group, "")
        return f"{group} {name}" if name and name != group else group
    return word(group, "region")


@bp.get("/coverage/growth")
def growth_page() -> str:
    """How the network grew, month by month: charts (each an SVG of its own) and the numbers."""
    found = get_store().read(reports.growth_report)
    return render_template("pages/growth.html", growth=growth_tables(found))


@bp.get("/coverage/growth.svg")
def growth_chart() -> Response:
    by = growth_by_arg(request.args)
    found = get_store().read(reports.growth_report)
    response = Response(draw_growth(found, by), mimetype="image/svg+xml")
    # matplotlib styles each shape inline: allowed here (opened on its own, the chart keeps its colours),
    # and nothing else: no script, nothing fetched.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
    )
    return response


@bp.get("/coverage/growth.csv")
def growth_csv() -> Response:
    by = growth_by_arg(request.args)
    found = get_store().read(reports.growth_report)
    out = io.StringIO()
    writer = csv.writer(out)
    months, series = found["months"], found["series"][by]
    if by == "network":
        writer.writerow(["month", *MEASURES])
        for i, m in enumerate(months):
            writer.writerow([m, *(series[""][k][i] for k in MEASURES)])
    else:
        names = found["names"]["workstream"]
        writer.writerow(["month", by, *(["name"] if by == "workstream" else []), *MEASURES])
        for i, m in enumerate(months):
            for g, counts in series.items():
                label = [neutralise(names.get(g, ""))] if by == "workstream" else []
                writer.writerow([m, neutralise(g), *label, *(counts[k][i] for k in MEASURES)])
    response = Response(out.getvalue(), mimetype="text/csv")
    suffix = "" if by == "network" else f"-by-{by}"
    response.headers["Content-Disposition"] = f'attachment; filename="graphapp-growth{suffix}.csv"'
    return response


def _plain(text: str) -> str:
    """A label as matplotlib should draw it: no formula ("$"), no control characters."""
    return "".join(ch for ch in text if ch.isprintable()).replace("$", r"\$")


def draw_growth(found: dict[str, Any], by: str) -> bytes:
    """Four small charts (members, organisations, countries, contacts) month by month, one line per group
    (the whole network, each workstream or each region), as SVG with its text kept as text."""
    import matplotlib
    from matplotlib.figure import Figure

    months = found["months"]
    series = found["series"][by]
    names = found["names"]["workstream"]
    x = list(range(len(months)))
    with matplotlib.rc_context({"svg.fonttype": "none", "font.size": 9}):
        fig = Figure(figsize=(9, 5.6), layout="constrained")
        axes = fig.subplots(2, 2, sharex=True)
        for ax, measure in zip(axes.flat, MEASURES, strict=True):
            for group, counts in series.items():
                label = _plain(_label(by, group, names)) if by != "network" else _("the whole network")
                ax.step(x, counts[measure], where="post", label=label, linewidth=1.6)
            ax.set_title(str(MEASURE_WORDS[measure]), loc="left", fontsize=10)
            ax.grid(True, axis="y", alpha=0.3)
            ax.spines[["top", "right"]].set_visible(False)
            ax.set_ylim(bottom=0)
            ticks = [i for i, m in enumerate(months) if m.endswith("-01")] or [0]
            if len(ticks) > 8:
                ticks = ticks[:: (len(ticks) + 7) // 8]
            ax.set_xticks(ticks, [months[i][:4] if months[i].endswith("-01") else months[i] for i in ticks])
        if by != "network" and series:
            handles, labels = axes.flat[0].get_legend_handles_labels()
            columns = 2 if by == "workstream" else 6  # (workstream names are long)
            fig.legend(
                handles, labels, loc="outside lower center", ncols=min(columns, len(labels)), frameon=False
            )
        buf = io.BytesIO()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font", category=UserWarning)
            fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()
