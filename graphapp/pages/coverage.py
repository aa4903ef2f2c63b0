"""The coverage dashboard: where the network is thin (the gap report, worst first) and the heat map of
members per topic and region. For coordinators."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import current_app, render_template, request

from graphapp import freshness, reports
from graphapp.db import get_store
from graphapp.pages import bp
from graphapp.params import page_args
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
    shown = get_store().read(coverage_page, freshness.Timing.from_config(current_app.config))
    return render_template(
        "pages/coverage.html", **shown, gaps=paginate(shown["report"]["gaps"], page, per_page)
    )
