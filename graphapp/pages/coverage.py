"""The coverage dashboard: where the network is thin (the gap report, worst first) and the heat map of
members per topic and region. For coordinators."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import current_app, render_template, request
from markupsafe import Markup

from graphapp import freshness, reports
from graphapp.db import get_store
from graphapp.pages import bp, journey
from graphapp.pages.coverage_pictures import pictures
from graphapp.pages.kept import kept_part
from graphapp.params import as_of_arg, page_args
from graphapp.queries.coverage import M49_REGIONS
from graphapp.queries.cypher import Tx
from graphapp.queries.members import paginate


def coverage_page(tx: Tx, timing: freshness.Timing | None = None) -> dict[str, Any]:
    """The gap report, the heat map and how much rests on stale profiles, from one snapshot of the graph."""
    return {
        "report": reports.coverage_report(tx),
        "matrix": reports.heat_map(tx),
        "stale": freshness.stale_coverage(tx, datetime.now(UTC), timing or freshness.Timing()),
    }


@bp.get("/coverage")
def coverage() -> str:
    page, per_page = page_args(request.args, 25)
    as_of = as_of_arg(request.args)

    timing = freshness.Timing.from_config(current_app.config)

    def main(shown: dict[str, Any]) -> Markup:
        return Markup(  # noqa: S704 (a template's output: escaped as it was rendered)
            render_template(
                "pages/_coverage_main.html",
                **shown,
                gaps=paginate(shown["report"]["gaps"], page, per_page),
                pictures=pictures(shown["report"], M49_REGIONS),
            )
        )

    # (the first view, the same for every coordinator of a language, is kept per graph revision)
    if request.args:
        part = main(get_store().read(coverage_as_of, as_of, timing))
    else:
        part = kept_part("coverage", lambda tx: main(coverage_as_of(tx, as_of, timing)))
    return render_template("pages/coverage.html", main=part)


# --- The network over time (issue 13): the report as it stood on a day, and the growth (pages/growth.py) ---


def coverage_as_of(tx: Tx, as_of: date | None, timing: freshness.Timing | None = None) -> dict[str, Any]:
    """The coverage page in one snapshot: :func:`coverage_page`, or, for ``as_of``, the gap report and heat
    map of the network as it stood at the end of that day (without the stale shares of today). The growth
    month by month has a page of its own (pages/growth.py): at 100,000 members it takes seconds to redo
    after a write, which the gap report, kept across writes that change no member, does not."""
    if as_of is None:
        shown = coverage_page(tx, timing)
    else:
        snap = reports.network_as_of(tx, as_of)
        shown = {
            "report": reports.with_journey_gaps(tx, reports.coverage_report_of_snapshot(snap, as_of), as_of),
            "matrix": reports.heat_map_of_snapshot(snap),
            "stale": None,
        }
    shown["journey_topics"] = journey.stuck_part(tx, as_of)  # (the journey: _coverage_stuck.html)
    return {**shown, "as_of": as_of, "today": datetime.now(UTC).date().isoformat()}
