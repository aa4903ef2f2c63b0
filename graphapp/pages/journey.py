"""The journey (issue 14 §2): the themes-by-stage map, drawn as the group draws it (themes down, stages
across; each cell its workstreams, projects and people, an empty cell "to be defined"), for coordinators;
and a theme's page (its description, workstreams, topics and projects by stage), for members."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, render_template

from graphapp import reports, wording
from graphapp.analytics.coverage import Thresholds
from graphapp.analytics.journey import journey_map, theme_view
from graphapp.db import get_store
from graphapp.i18n import _
from graphapp.pages import bp
from graphapp.queries.cypher import Tx
from graphapp.queries.journey import journey_rows
from graphapp.queries.schema import STAGES

__all__ = ["journey_page", "stuck_part", "theme_page"]


def stuck_part(tx: Tx, day: date | None = None) -> dict[str, Any]:
    """Per topic, the projects at each stage and where they stop (as they stood on ``day``, if given): what
    ``_coverage_stuck.html`` shows, on the coverage page and the journey's."""
    return {
        "topics": reports.topic_stages_of(tx, None, day),
        "at_least": Thresholds().stuck_projects,
        "as_of": day.isoformat() if day else None,
        "stages": [(s, wording.STAGE_NAMES[s]) for s in STAGES],
    }


def journey_page(tx: Tx) -> dict[str, Any]:
    """The map (:func:`graphapp.analytics.journey.journey_map`) and, per topic, the projects at each stage
    and where they stop, from one snapshot."""
    return {"map": journey_map(journey_rows(tx)), "journey_topics": stuck_part(tx)}


def theme_page(tx: Tx, theme: str) -> dict[str, Any] | None:
    """One theme's row of the map, its workstreams and topics (None if there is no such theme)."""
    return theme_view(journey_rows(tx), theme)


@bp.get("/journey")
def journey() -> str:
    shown = get_store().read(journey_page)
    return render_template(
        "pages/journey.html",
        **shown,
        stage_names=wording.STAGE_NAMES,
        stage_headings=wording.STAGE_HEADINGS,
        to_be_defined=wording.TO_BE_DEFINED,
    )


@bp.get("/themes/<theme>")
def theme(theme: str) -> str:
    shown = get_store().read(theme_page, theme)
    if shown is None:
        abort(404, _("There is no theme with the id %(theme)s.", theme=repr(theme)))
    return render_template(
        "pages/theme.html",
        **shown,
        stage_names=wording.STAGE_NAMES,
        stage_headings=wording.STAGE_HEADINGS,
        to_be_defined=wording.TO_BE_DEFINED,
    )
