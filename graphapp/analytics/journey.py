"""The journey (issue 14 §2): the themes-by-stage map, and per topic how many projects sit at each stage
and where they stop.

The group draws its work as a table: themes down, the stages of the journey (idea, demonstration,
production, maintenance) across. A cell holds

- the **workstreams** that serve the theme at that stage (a workstream serves a theme at the stages listed
  on the link; an empty list means every stage);
- the **projects** at that stage (their ``stage``, the furthest reached) whose topics serve the theme, or
  whose workstream serves it;
- the **people** who work on those projects.

A cell with no workstream and no project is "to be defined": a gap of the map.

A topic is **stuck** at a stage when at least :data:`STUCK_AT_LEAST` of its projects sit at that stage and
none of them went further (the stage is the furthest any of its projects reached, and not the last).

Pure functions over the rows of :mod:`graphapp.queries.journey`; no words (those are in
:mod:`graphapp.wording`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from graphapp.queries.schema import STAGES

__all__ = [
    "PEOPLE_SHOWN",
    "STUCK_AT_LEAST",
    "journey_map",
    "served_stages",
    "stage_as_of",
    "stuck_at",
    "theme_view",
    "topic_stages",
]

#: How many projects must sit at a topic's furthest stage (none beyond it) for the topic to be stuck there.
#: The coverage report's threshold ``stuck_projects`` starts from it (``graphapp gaps --set``).
STUCK_AT_LEAST = 3
#: How many people a cell of the map names (the rest are counted).
PEOPLE_SHOWN = 3


def served_stages(stages: str | None) -> tuple[str, ...]:
    """The stages a workstream takes in a theme, from the link's comma-separated list (empty: every stage),
    in the journey's order; names that are not stages are ignored.

    Examples
    --------
    >>> served_stages("")
    ('idea', 'demonstration', 'production', 'maintenance')
    >>> served_stages(" production, idea ,nonsense")
    ('idea', 'production')
    """
    named = {s.strip().lower() for s in (stages or "").split(",") if s.strip()}
    if not named:
        return STAGES
    return tuple(s for s in STAGES if s in named)


def stuck_at(counts: Mapping[str, int], at_least: int = STUCK_AT_LEAST) -> str | None:
    """The stage a topic's projects are stuck at, or None: the furthest stage any of them reached, when it
    is not the last stage and at least ``at_least`` projects sit there.

    Parameters
    ----------
    counts : mapping
        How many projects sit at each stage (missing stages count 0).
    at_least : int

    Examples
    --------
    >>> stuck_at({"idea": 1, "demonstration": 3})
    'demonstration'
    >>> stuck_at({"demonstration": 2}) is None  # one short of STUCK_AT_LEAST
    True
    >>> stuck_at({"demonstration": 5, "production": 1}) is None  # one went further
    True
    >>> stuck_at({"maintenance": 9}) is None  # the end of the journey
    True
    """
    reached = [s for s in STAGES if counts.get(s, 0) > 0]
    if not reached:
        return None
    furthest = reached[-1]
    if furthest == STAGES[-1] or counts[furthest] < at_least:
        return None
    return furthest


def stage_as_of(project: Mapping[str, Any], day: str) -> str | None:
    """The furthest stage a project had reached by the end of ``day`` (ISO), from the day recorded for each
    stage; a stage with no day recorded is not counted (when it was reached is not known), and none beyond
    the project's stage now (a project moved back keeps the days of the stages it left).

    Examples
    --------
    >>> p = {"stage": "production", "idea": "2021-03-01", "demonstration": "2022-05-10", "production": "2024-01-02"}
    >>> stage_as_of(p, "2023-12-31"), stage_as_of(p, "2021-02-28"), stage_as_of(p, "2024-01-02")
    ('demonstration', None, 'production')
    >>> stage_as_of({**p, "stage": "demonstration"}, "2025-01-01")  # moved back since
    'demonstration'
    """
    now = project.get("stage")
    last = STAGES.index(now) if now in STAGES else len(STAGES) - 1
    reached = None
    for s in STAGES[: last + 1]:
        when = project.get(s)
        if when and str(when)[:10] <= day:
            reached = s
    return reached


def topic_stages(
    projects: Sequence[Mapping[str, Any]],
    project_topics: Sequence[Mapping[str, Any]],
    at_least: int = STUCK_AT_LEAST,
    day: str | None = None,
) -> list[dict[str, Any]]:
    """For each topic with projects: how many sit at each stage, and the stage they are stuck at.

    Parameters
    ----------
    projects : sequence of mapping
        ``id``, ``stage`` (and, for ``day``, the day of each stage).
    project_topics : sequence of mapping
        ``project``, ``topic``, ``name`` (and ``status``: "retired" or unset).
    at_least : int
        See :func:`stuck_at`.
    day : str, optional
        An ISO day: count each project at the stage it had reached by then (:func:`stage_as_of`).

    Returns
    -------
    list of dict
        By topic name: ``topic``, ``name``, ``retired``, ``counts`` (every stage, in order), ``projects``
        (those at a stage) and ``stuck`` (a stage or None). Projects with no known stage are not counted.

    Examples
    --------
    >>> projects = [{"id": f"p{i}", "stage": "demonstration"} for i in range(3)] + [{"id": "q", "stage": "idea"}]
    >>> topics = [{"project": p["id"], "topic": "nlp", "name": "NLP"} for p in projects]
    >>> [(t["name"], t["counts"]["demonstration"], t["stuck"]) for t in topic_stages(projects, topics)]
    [('NLP', 3, 'demonstration')]
    """
    # A day from today on is now: every project at its stage, dated or not.
    past = day is not None and day < datetime.now(UTC).date().isoformat()
    stage_of = {p["id"]: (stage_as_of(p, day) if past and day else p.get("stage")) for p in projects}
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STAGES, 0))
    names: dict[str, tuple[str, bool]] = {}
    for row in project_topics:
        stage = stage_of.get(row["project"])
        names[row["topic"]] = (row.get("name") or row["topic"], row.get("status") == "retired")
        if stage in STAGES:
            counts[row["topic"]][stage] += 1
    found = []
    for topic, at in counts.items():
        name, retired = names[topic]
        found.append(
            {
                "topic": topic,
                "name": name,
                "retired": retired,
                "counts": at,
                "projects": sum(at.values()),
                "stuck": None if retired else stuck_at(at, at_least),  # (a retired topic is no gap)
            }
        )
    return sorted(found, key=lambda t: (t["name"].lower(), t["topic"]))


def _people(ids: set[str], names: Mapping[str, str], shown: int) -> dict[str, Any]:
    ordered = sorted(ids, key=lambda m: (names.get(m, m).lower(), m))
    return {"count": len(ordered), "shown": [{"id": m, "name": names.get(m, m)} for m in ordered[:shown]]}


def journey_map(
    rows: Mapping[str, Sequence[Mapping[str, Any]]], people_shown: int = PEOPLE_SHOWN
) -> dict[str, Any]:
    """The themes-by-stage map: a row per theme (by ``position``), the facilitators as rows of their own,
    a cell per stage with its workstreams, projects and people.

    Parameters
    ----------
    rows : mapping
        The reads of :func:`graphapp.queries.journey.journey_rows`: ``themes``, ``serves``, ``of_theme``,
        ``projects``, ``project_topics``, ``project_workstreams``, ``project_members``.
    people_shown : int
        How many people a cell names (all are counted).

    Returns
    -------
    dict
        ``stages`` (in order), ``themes`` and ``facilitators`` (rows: the theme's ``id``, ``name``,
        ``description``, ``kind``, ``position`` and ``cells``; each cell ``stage``, ``workstreams`` (``id``,
        ``name``), ``projects`` (``id``, ``title``), ``people`` (``count`` and the first ``shown``: ``id``,
        ``name``) and ``to_be_defined`` (no workstream and no project)), ``to_be_defined`` (how many
        cells are).

    Examples
    --------
    >>> rows = {"themes": [{"id": "quality", "name": "Quality", "kind": "theme", "position": "01"}],
    ...         "serves": [{"workstream": "WS2", "name": "Quality", "theme": "quality", "stages": "production"}],
    ...         "of_theme": [], "projects": [], "project_topics": [], "project_workstreams": [],
    ...         "project_members": []}
    >>> m = journey_map(rows)
    >>> [(c["stage"], [w["id"] for w in c["workstreams"]], c["to_be_defined"]) for c in m["themes"][0]["cells"]]
    [('idea', [], True), ('demonstration', [], True), ('production', ['WS2'], False), ('maintenance', [], True)]
    """
    themes = sorted(
        rows["themes"], key=lambda t: (t.get("position") or "", (t.get("name") or "").lower(), t["id"])
    )
    # Which themes each workstream serves (at which stages), and which themes each topic serves.
    ws_cells: dict[tuple[str, str], dict[str, str]] = {}
    ws_themes: dict[str, set[str]] = defaultdict(set)
    for s in rows["serves"]:
        ws_themes[s["workstream"]].add(s["theme"])
        for stage in served_stages(s.get("stages")):
            ws_cells[(s["theme"], stage)] = ws_cells.get((s["theme"], stage), {})
            ws_cells[(s["theme"], stage)][s["workstream"]] = s.get("name") or s["workstream"]
    topic_themes: dict[str, set[str]] = defaultdict(set)
    for o in rows["of_theme"]:
        topic_themes[o["topic"]].add(o["theme"])
    # Which themes each project serves: through its topics and its workstream.
    project_themes: dict[str, set[str]] = defaultdict(set)
    for pt in rows["project_topics"]:
        project_themes[pt["project"]] |= topic_themes.get(pt["topic"], set())
    for pw in rows["project_workstreams"]:
        project_themes[pw["project"]] |= ws_themes.get(pw["workstream"], set())
    members_of: dict[str, set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    for pm in rows["project_members"]:
        members_of[pm["project"]].add(pm["member"])
        names[pm["member"]] = pm.get("name") or pm["member"]
    projects: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for p in rows["projects"]:
        if p.get("stage") not in STAGES:
            continue
        for theme in project_themes.get(p["id"], set()):
            projects[(theme, p["stage"])].append({"id": p["id"], "title": p.get("title") or p["id"]})

    def cell(theme: str, stage: str) -> dict[str, Any]:
        ws = ws_cells.get((theme, stage), {})
        here = sorted(projects.get((theme, stage), []), key=lambda p: (p["title"].lower(), p["id"]))
        people: set[str] = set()
        for p in here:
            people |= members_of.get(p["id"], set())
        return {
            "stage": stage,
            "workstreams": [{"id": w, "name": ws[w]} for w in sorted(ws)],
            "projects": here,
            "people": _people(people, names, people_shown),
            "to_be_defined": not ws and not here,
        }

    made: list[dict[str, Any]] = [
        {
            **{k: t.get(k) for k in ("id", "name", "description", "kind", "position")},
            "cells": [cell(t["id"], stage) for stage in STAGES],
        }
        for t in themes
    ]
    return {
        "stages": list(STAGES),
        "themes": [r for r in made if r["kind"] != "facilitator"],
        "facilitators": [r for r in made if r["kind"] == "facilitator"],
        "to_be_defined": sum(c["to_be_defined"] for r in made for c in r["cells"]),
    }


def theme_view(
    rows: Mapping[str, Sequence[Mapping[str, Any]]], theme: str, drawn: Mapping[str, Any] | None = None
) -> dict[str, Any] | None:
    """One theme's part of the map: its row (:func:`journey_map`, or ``drawn``, the map already made from
    these rows), the workstreams that serve it with the stages they take, and the topics that serve it;
    None if the rows hold no such theme.

    Examples
    --------
    >>> rows = {"themes": [{"id": "ethics", "name": "Ethics", "kind": "theme"}],
    ...         "serves": [{"workstream": "WS6", "name": "Ethics", "theme": "ethics", "stages": ""}],
    ...         "of_theme": [{"topic": "privacy", "name": "Privacy", "theme": "ethics"}], "projects": [],
    ...         "project_topics": [], "project_workstreams": [], "project_members": []}
    >>> v = theme_view(rows, "ethics")
    >>> v["workstreams"], v["topics"]
    ([{'id': 'WS6', 'name': 'Ethics', 'stages': ['idea', 'demonstration', 'production', 'maintenance']}], [{'id': 'privacy', 'name': 'Privacy'}])
    """
    m = drawn if drawn is not None else journey_map(rows)
    row = next((r for r in (*m["themes"], *m["facilitators"]) if r["id"] == theme), None)
    if row is None:
        return None
    workstreams = sorted(
        (
            {
                "id": s["workstream"],
                "name": s.get("name") or s["workstream"],
                "stages": list(served_stages(s.get("stages"))),
            }
            for s in rows["serves"]
            if s["theme"] == theme
        ),
        key=lambda w: w["id"],
    )
    topics = sorted(
        (
            {"id": o["topic"], "name": o.get("name") or o["topic"]}
            for o in rows["of_theme"]
            if o["theme"] == theme
        ),
        key=lambda t: (t["name"].lower(), t["id"]),
    )
    return {"theme": row, "workstreams": workstreams, "topics": topics}
