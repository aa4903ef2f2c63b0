"""Coverage by competence area and region (issue 14 §3): for each area of the taxonomy, at every level
of its hierarchy, how many members hold its topics at each level in each UN M49 region, and where no
expert is or learners outnumber experts. For coordinators, as the coverage page is.

The numbers are :func:`graphapp.reports.area_coverage`'s (kept per graph revision); the words
:mod:`graphapp.wording`'s.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from graphapp import reports, wording
from graphapp.analytics.rollup import in_region
from graphapp.db import get_store
from graphapp.pages import bp
from graphapp.params import area_region_arg
from graphapp.queries.coverage import M49_REGIONS
from graphapp.queries.cypher import Tx

__all__ = ["area_coverage_page"]


def area_coverage_page(tx: Tx, region: str = "") -> dict[str, Any]:
    """The area rollup, of one region (beside the network's) when ``region`` is given."""
    rolled = reports.area_coverage(tx)
    return in_region(rolled, region) if region else rolled


def _rows(area: dict[str, Any]) -> list[dict[str, Any]]:
    """An area and every area under it, in order: the rows of its table."""
    rows = [area]
    for narrower in area["narrower"]:
        rows += _rows(narrower)
    return rows


@bp.get("/coverage/areas")
def area_coverage() -> str:
    region = area_region_arg(request.args)
    rolled = get_store().read(area_coverage_page, region)
    return render_template(
        "pages/area_coverage.html",
        rolled=rolled,
        said=wording.area_coverage_summary(rolled),
        tables=[(top, _rows(top)) for top in rolled["areas"]],
        region=region,
        regions=M49_REGIONS,
        finding_words=wording.AREA_FINDING_WORDS,
        details=[wording.area_finding_detail(f) for f in rolled["findings"]],
    )
