"""What pages, the API and the CLI share: the analytics of the graph as a transaction sees it.

Each function reads rows in the transaction it is given (:mod:`graphapp.queries`), keeps what is derived
from the whole graph per graph revision (``tx.derived``: the interest index, the coverage report, the heat
map), and calls the pure analytics (:mod:`graphapp.analytics`). A page reads everything it shows in one
transaction: ``store.read(coverage_report)`` and ``store.read(heat_map)``, or both in one function.
No Flask here: the CLI and the benchmarks call these too.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar, cast

import numpy as np

from graphapp.analytics.asks import Helpers, rank_helpers
from graphapp.analytics.brokers import ContactCuts, find_cuts
from graphapp.analytics.coverage import Network, Thresholds, coverage_gaps, stuck_gaps
from graphapp.analytics.growth import Snapshot, after_day, as_network, as_of, growth, heat_map_of
from graphapp.analytics.interest_index import InterestIndex
from graphapp.analytics.introductions import introduction_stats
from graphapp.analytics.journey import topic_stages
from graphapp.analytics.journey_match import MODE as BEEN_THERE
from graphapp.analytics.journey_match import Journeys, JourneySuggestions, been_there
from graphapp.analytics.rollup import roll_up
from graphapp.analytics.suggestions import Suggestions, UnknownMember, suggest
from graphapp.queries import taxonomy as taxonomy_rows
from graphapp.queries.asks import open_ask_topics
from graphapp.queries.beenthere import read_projects
from graphapp.queries.contactmap import MapView, people_in_view, read_map
from graphapp.queries.coverage import M49_REGIONS, STATEMENTS, coverage_tables
from graphapp.queries.cypher import Cypher, Tx, collector_paused
from graphapp.queries.growth import network_now, node_changes
from graphapp.queries.interest import read_contacts, read_interests, read_members
from graphapp.queries.introductions import INTRODUCTION_KINDS, introduction_counts, introductions_off
from graphapp.queries.journey import project_stage_rows
from graphapp.queries.members import (
    EVERYONE,
    MemberFilter,
    Page,
    facets,
    member_directory,
    organisation_list,
    people,
    place_list,
    topic_list,
    topic_region_matrix,
    workstream_list,
)
from graphapp.queries.peers import member_known_and_revision
from graphapp.queries.schema import LEVELS, graph_revision, members_changed, revision_and_log
from graphapp.queries.vocabulary import retired_topics

__all__ = [
    "UnknownMember",
    "members_added",
    "map_of",
    "people_in",
    "choice_lists",
    "directory",
    "area_coverage",
    "ask_helpers",
    "asks_i_could_help_with",
    "introduction_stats_of",
    "contact_cuts",
    "coverage_report",
    "coverage_report_as_of",
    "coverage_report_of_snapshot",
    "heat_map_of_snapshot",
    "network_as_of",
    "coverage_report_of",
    "growth_report",
    "heat_map",
    "interest_index",
    "journey_gaps",
    "journeys",
    "suggest_been_there",
    "suggest_peers",
    "topic_stages_of",
    "with_gaps",
    "with_journey_gaps",
]

T = TypeVar("T")

# --- The interest index, kept per graph revision ------------------------------------------------------


def interest_index(tx: Tx, revision: tuple[str | None, str | None] | None = None) -> InterestIndex:
    """The interest index of the graph as this transaction sees it: the store's copy if current, else a
    new one. Any write, in any process, renews the revision; after writes that declared the few members
    they changed (see :func:`graphapp.queries.schema.members_changed`) the next reader reads just those
    members again and patches a copy of the index, else it builds the index anew. ``revision``: the
    revision and its log, when this transaction has read them already (:func:`revision_and_log`)."""
    return _interest_index_and(tx, [], revision)[0]


def _patch(tx: Tx, now: str | None, log: str | None) -> Callable[[InterestIndex, Any], InterestIndex | None]:
    """How the index kept at an older revision is brought to ``now``: with the members changed since
    (the revision ``log`` says which) read again; None when it cannot say, to build anew."""

    def update(kept: InterestIndex, since: Any) -> InterestIndex | None:
        changed = members_changed(tx, since, now, log)
        if changed is None:
            return None
        rows = read_members(tx, sorted(changed))
        if len(rows) != len(changed):
            return None  # a member is gone (forgotten): build anew
        return kept.patched(rows)

    return update


def _unless_members_changed(tx: Tx, now: str | None) -> Callable[[T, Any], T | None]:
    """For data that depends on more than the members (the coverage report, the heat map): kept while
    the writes since touched no member at all (a mail retried...), else made anew."""

    def update(kept: T, since: Any) -> T | None:
        return kept if members_changed(tx, since, now) == set() else None

    return update


def _interest_index_and(
    tx: Tx, statements: Sequence[Cypher], revision: tuple[str | None, str | None] | None = None
) -> tuple[InterestIndex, list[list[dict[str, Any]]]]:
    """The index (as :func:`interest_index`) and the rows of further reads: read side by side with the
    index's when it has to be built, on their own (still side by side) when it is current."""
    read: list[list[dict[str, Any]]] | None = None

    def build() -> InterestIndex:
        nonlocal read
        rows, read = read_interests(tx, statements)
        return InterestIndex(
            rows.members,
            rows.topics,
            rows.holders,
            rows.employees,
            rows.workstream_members,
            rows.organisation_names,
        )

    # (one statement: the log is at hand should the index be behind)
    now, log = revision if revision is not None else revision_and_log(tx)
    index = tx.derived.get("interest-index", now, build, _patch(tx, now, log))
    return index, read if read is not None else tx.run_all(statements)


# --- Suggestions -----------------------------------------------------------------------------------------


def suggest_peers(
    tx: Tx,
    member: str,
    *,
    limit: int = 10,
    mode: str = "all",
    exclude_known: bool = True,
    exclude_own_organisation: bool = True,
    topic: str | None = None,
    workstream: str | None = None,
    region: str | None = None,
) -> Suggestions:
    """Ranked suggestions for ``member`` (an id or an email): see :func:`graphapp.analytics.suggestions.suggest`.

    Besides the interest index (current unless the graph changed), one statement reads the member and the
    people they know. Raises :class:`UnknownMember`. The result is structure; :func:`graphapp.wording.worded_suggestions`
    says it in words.
    In the mode ``been-there`` the suggestions are :func:`suggest_been_there`'s.
    """
    if mode == BEEN_THERE:
        return suggest_been_there(
            tx,
            member,
            limit=limit,
            exclude_known=exclude_known,
            exclude_own_organisation=exclude_own_organisation,
            topic=topic,
            workstream=workstream,
            region=region,
        )
    # (The member is read with the revision, so that the index is at least as new.)
    found, revision = member_known_and_revision(tx, member)
    index = interest_index(tx, revision)
    if found is None or found["id"] not in index.member:
        raise UnknownMember(member)
    result = suggest(
        index,
        found["id"],
        found["known"],
        limit=limit,
        mode=mode,
        exclude_known=exclude_known,
        exclude_own_organisation=exclude_own_organisation,
        topic=topic,
        workstream=workstream,
        region=region,
    )
    return result


# --- Been there: people further along the journey on the same topics (issue 14) ----------------------------


def journeys(tx: Tx, revision: str | None = None) -> Journeys:
    """Every member's furthest stage on each topic (:class:`graphapp.analytics.journey_match.Journeys`),
    read once per graph revision: projects are few (three statements at 5,000 projects), and their writes
    declare that they changed no member (``tx.touched([])``), so they are kept apart from the interest
    index and read again after any write. ``revision``: the graph's, when already read."""
    now = revision if revision is not None else graph_revision(tx)

    def build() -> Journeys:
        rows = read_projects(tx)
        return Journeys(rows.projects, rows.workers, rows.topics)

    return tx.derived.get("journeys", now, build)


def suggest_been_there(
    tx: Tx,
    member: str,
    *,
    limit: int = 10,
    exclude_known: bool = True,
    exclude_own_organisation: bool = True,
    topic: str | None = None,
    workstream: str | None = None,
    region: str | None = None,
    today: date | None = None,
) -> JourneySuggestions:
    """The people whose projects on ``member``'s topics (an id or an email) are one or more stages ahead,
    ranked (see :func:`graphapp.analytics.journey_match.been_there`), with the same people left out as
    in the other modes. Raises :class:`UnknownMember`. Words: :func:`graphapp.wording.worded_suggestions`."""
    found, revision = member_known_and_revision(tx, member)
    index = interest_index(tx, revision)
    if found is None or found["id"] not in index.member:
        raise UnknownMember(member)
    return been_there(
        index,
        journeys(tx, revision[0]),
        found["id"],
        found["known"],
        today=today or _today(),
        limit=limit,
        exclude_known=exclude_known,
        exclude_own_organisation=exclude_own_organisation,
        topic=topic,
        workstream=workstream,
        region=region,
    )


# --- Who can help with an ask ----------------------------------------------------------------------------


def ask_helpers(tx: Tx, asker: str, topics: Sequence[str], *, limit: int = 10) -> Helpers:
    """The members best placed to help with an ask (see :func:`graphapp.analytics.asks.rank_helpers`),
    over the interest index that suggestions use; members who turned introductions off are left out.
    Words: :func:`graphapp.wording.helper_reasons`."""
    unavailable = introductions_off(tx)
    return rank_helpers(interest_index(tx), asker, topics, limit=limit, unavailable=unavailable)


def asks_i_could_help_with(
    tx: Tx, member: str, asks: Sequence[dict[str, Any]], *, limit: int = 10
) -> list[dict[str, Any]]:
    """Of these asks (``id``, ``member``, ``topics``...), those where ``member`` is among the ``limit``
    best placed to help, in the order given."""
    index, unavailable = interest_index(tx), introductions_off(tx)
    return [
        a
        for a in asks
        if any(
            h.id == member
            for h in rank_helpers(
                index, a["member"], a["topics"], limit=limit, unavailable=unavailable
            ).helpers
        )
    ]


def introduction_stats_of(tx: Tx) -> list[dict[str, Any]]:
    """How introductions fare, by where they were asked from (counts only, never the notes): see
    :func:`graphapp.analytics.introductions.introduction_stats`."""
    return introduction_stats(introduction_counts(tx), INTRODUCTION_KINDS)


# --- The coverage report and the heat map, kept per graph revision ---------------------------------------


def _network(tx: Tx) -> Network:
    index, rows = _interest_index_and(tx, STATEMENTS)
    return Network(index, **coverage_tables(rows, tx.dialect), open_asks=open_ask_topics(tx))


def contact_cuts(tx: Tx) -> ContactCuts:
    """Read the contact network and find its cuts: a read function, so that it can run beside others."""
    a, b = read_contacts(tx)
    return find_cuts(np.array(a, np.int64), np.array(b, np.int64))


def coverage_report_of(tx: Tx, thresholds: Thresholds | None = None) -> dict[str, Any]:
    """The coverage report of the graph as ``tx`` sees it (see
    :func:`graphapp.analytics.coverage.coverage_gaps`; its words: :func:`graphapp.wording.worded_report`),
    with the journey's gaps (:func:`journey_gaps`).

    On Neo4j the contacts are read and searched (in Python) in a transaction beside the one that reads the
    rest, while the server is still busy with that.
    """
    return with_gaps(_counted_report_of(tx, thresholds), journey_gaps(tx, thresholds))


def _counted_report_of(tx: Tx, thresholds: Thresholds | None = None) -> dict[str, Any]:
    """The coverage report without the journey's gaps: what depends on the members (kept across writes
    that changed none)."""
    with collector_paused():
        # side_by_side types its results as one list; in order, they are what each work returns
        first, second = tx.side_by_side([_network, contact_cuts])
        net, cuts = cast(Network, first), cast(ContactCuts, second)
        return without_retired(coverage_gaps(net, cuts, M49_REGIONS, thresholds), retired_topics(tx))


def without_retired(report: dict[str, Any], retired: set[str]) -> dict[str, Any]:
    """The report without the gaps of retired topics (kept with their interests, but no longer part of
    the vocabulary a gap could be filled in), its count of gaps by severity made again."""
    if not retired:
        return report
    gaps = [g for g in report["gaps"] if not (g["kind"].startswith("topic-") and g["subject"] in retired)]
    severities = Counter(str(g["severity"]) for g in gaps)
    demand = [d for d in report.get("demand", []) if d["topic"] not in retired]
    return {
        **report,
        "gaps": gaps,
        "demand": demand,
        "summary": {**report["summary"], "gaps": dict(severities)},
    }


def coverage_report(tx: Tx) -> dict[str, Any]:
    """The coverage report with default thresholds, made once per graph revision (callers must not
    change it): every view after the first costs nothing until the graph changes (a write that changed
    no member leaves the counted part as it is; the journey's gaps are read again)."""
    now = graph_revision(tx)
    counted: dict[str, Any] = tx.derived.get(
        "coverage-report", now, lambda: _counted_report_of(tx), _unless_members_changed(tx, now)
    )
    # The journey's gaps move with projects, which a write changes without changing any member (it
    # declares tx.touched([])): they are read again after every write (a small read); the report with them
    # is the one kept until its counted part or those gaps change.
    gaps = tx.derived.get("coverage-journey-gaps", now, lambda: journey_gaps(tx))

    def merged() -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
        return counted, gaps, with_gaps(counted, gaps)

    def still(
        kept: tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]], since: Any
    ) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]] | None:
        return kept if kept[0] is counted and kept[1] == gaps else None

    return tx.derived.get("coverage-report-journey", now, merged, still)[2]


# --- The journey's gaps (issue 14 §2): topics whose projects stop at a stage -------------------------------


def topic_stages_of(
    tx: Tx, thresholds: Thresholds | None = None, day: date | None = None
) -> list[dict[str, Any]]:
    """Per topic with projects: how many sit at each stage and where they are stuck (see
    :func:`graphapp.analytics.journey.topic_stages`); for ``day``, at the stage each had reached by then,
    from the day recorded for each stage."""
    th = thresholds or Thresholds()

    def made() -> list[dict[str, Any]]:
        projects, topics = project_stage_rows(tx)
        return topic_stages(projects, topics, th.stuck_projects, day.isoformat() if day else None)

    if thresholds is None and day is None:  # (what the coverage and journey pages show: kept per revision)
        return tx.derived.get("journey-topic-stages", graph_revision(tx), made)
    return made()


def journey_gaps(
    tx: Tx, thresholds: Thresholds | None = None, day: date | None = None
) -> list[dict[str, Any]]:
    """The ``stuck`` gaps (:func:`graphapp.analytics.coverage.stuck_gaps`) of the graph as ``tx`` sees it,
    most severe first (as the report orders gaps); for ``day``, as the projects stood then."""
    th = thresholds or Thresholds()
    gaps = stuck_gaps(topic_stages_of(tx, th, day), th)
    return [g.as_dict() for g in sorted(gaps, key=_gap_order)]


def _gap_order(g: Any) -> tuple[int, str, str]:
    g = g if isinstance(g, dict) else g.as_dict()
    return (-g["severity"], g["kind"], g["subject"])


def with_gaps(report: dict[str, Any], gaps: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The report with more gaps (each in the report's order: most severe first, then kind, then
    subject), merged into its list in that order, and its count by severity made again. The report given
    is kept per revision and shared: a new one is returned."""
    if not gaps:
        return report
    merged = list(heapq.merge(report["gaps"], gaps, key=_gap_order))
    severities = Counter(str(g["severity"]) for g in merged)
    return {**report, "gaps": merged, "summary": {**report["summary"], "gaps": dict(severities)}}


def with_journey_gaps(tx: Tx, report: dict[str, Any], day: date | None = None) -> dict[str, Any]:
    """``report`` (of the network as it stood at the end of ``day``, say) with the journey's gaps of then."""
    return with_gaps(report, journey_gaps(tx, None, day))


def heat_map(tx: Tx) -> dict[str, Any]:
    """Members holding each topic in each UN M49 region, made once per graph revision."""
    now = graph_revision(tx)
    return tx.derived.get(
        "heat-map", now, lambda: topic_region_matrix(tx, M49_REGIONS), _unless_members_changed(tx, now)
    )


# --- The network over time ---------------------------------------------------------------------------------


def _today() -> date:
    return datetime.now(UTC).date()


def network_as_of(tx: Tx, day: date) -> Snapshot:
    """The network as it stood at the end of ``day``: see :func:`graphapp.analytics.growth.as_of`. Who holds
    which topic now comes from the interest index (kept per revision; reading the interests again as rows
    takes seconds at 100,000 members)."""
    now = Snapshot(**network_now(tx, interests=False))
    index = interest_index(tx)
    by_member = index.by_member
    entry = [[f"{t}:{level}" for level in (*LEVELS, "")] for t in index.topic_ids]  # (code: level's place)
    for i, m in enumerate(index.member_ids):
        fields = now.members.get(m)
        start, end = int(by_member.ptr[i]), int(by_member.ptr[i + 1])
        if fields is not None and end > start:
            fields["topics"] = sorted(
                entry[t][lv]
                for t, lv in zip(
                    by_member.cols[start:end].tolist(), by_member.levels[start:end].tolist(), strict=True
                )
            )
    return as_of(now, node_changes(tx, since=after_day(day)), day)


def coverage_report_as_of(tx: Tx, day: date, thresholds: Thresholds | None = None) -> dict[str, Any]:
    """The coverage report of the network as it stood at the end of ``day`` (UTC), rebuilt from the
    history (:func:`network_as_of`), by the same analytics as :func:`coverage_report_of`; the journey's
    gaps from the day each project reached each stage (:func:`journey_gaps`). Not kept: each day asked is
    rebuilt."""
    report = coverage_report_of_snapshot(network_as_of(tx, day), day, thresholds)
    return with_gaps(report, journey_gaps(tx, thresholds, day))


def coverage_report_of_snapshot(
    snap: Snapshot, day: date | None = None, thresholds: Thresholds | None = None
) -> dict[str, Any]:
    """The coverage report of a network held as a snapshot (asks open at the end of ``day``, if given)."""
    net, a, b = as_network(snap, day)
    with collector_paused():
        return coverage_gaps(net, find_cuts(a, b), M49_REGIONS, thresholds)


def heat_map_of_snapshot(snap: Snapshot) -> dict[str, Any]:
    """The heat map (:func:`heat_map`) of a network held as a snapshot."""
    return heat_map_of(snap, M49_REGIONS)


def growth_report(tx: Tx) -> dict[str, Any]:
    """How the network grew, month by month (see :func:`graphapp.analytics.growth.growth`), made once per
    graph revision and day."""
    today = _today()

    def build() -> dict[str, Any]:
        with collector_paused():
            return growth(Snapshot(**network_now(tx, interests=False)), node_changes(tx), today)

    return tx.derived.get("growth", (graph_revision(tx), today.isoformat()), build)


# --- Coverage by competence area and region (issue 14 §3, rollup), kept per graph revision ---------------


def _taxonomy_held(tx: Tx) -> tuple[Any, ...]:
    """What the rollup reads besides the interest index: the areas, their broader areas, the topics'
    places and the retired topics (small: hundreds of rows)."""
    return (
        taxonomy_rows.areas(tx),
        taxonomy_rows.broader_links(tx),
        sorted(taxonomy_rows.places(tx)),
        sorted(retired_topics(tx)),
    )


def area_coverage(tx: Tx) -> dict[str, Any]:
    """Members holding each competence area's topics at each level, per UN M49 region and in all, with
    where that is thin (see :func:`graphapp.analytics.rollup.roll_up`; its words:
    :func:`graphapp.wording.worded_area_coverage`), made once per graph revision (callers must not change
    it). A write that changed no member keeps it unless the taxonomy or the retired topics changed (a
    taxonomy import changes no member), which is checked by reading those again."""
    now = graph_revision(tx)

    def rolled(held: tuple[Any, ...]) -> tuple[tuple[Any, ...], dict[str, Any]]:
        areas, broader, places, retired = held
        return held, roll_up(interest_index(tx), areas, broader, places, M49_REGIONS, retired)

    def update(
        kept: tuple[tuple[Any, ...], dict[str, Any]], since: Any
    ) -> tuple[tuple[Any, ...], dict[str, Any]] | None:
        if members_changed(tx, since, now) != set():
            return None
        held = _taxonomy_held(tx)
        return kept if held == kept[0] else rolled(held)

    return tx.derived.get("area-coverage", now, lambda: rolled(_taxonomy_held(tx)), update)[1]


# --- The directory and the forms' choices (issue 17 §1) ------------------------------------------------


def directory(tx: Tx, where: MemberFilter, page: int, per_page: int) -> dict[str, Any]:
    """:func:`graphapp.queries.members.member_directory`, with the directory of everyone kept per graph
    revision: everyone's ids in the order of name then id, and the whole network's facets. A page of it
    then reads only its own members. (At 100,000 members ordering and counting everyone took 4.4 s a
    page on LadybugDB.) A filtered directory is asked of the database each time."""
    if where:
        return member_directory(tx, where, page, per_page)

    def build() -> tuple[list[str], dict[str, list[dict[str, Any]]]]:
        # (Sorted here as PAGE_OF_FILTERED orders a page: by name, then id, by code point.)
        everyone = sorted(EVERYONE.run(tx), key=lambda r: (r["name"], r["id"]))
        return [r["id"] for r in everyone], facets(tx, where)

    order, everyones = tx.derived.get("directory", graph_revision(tx), build)
    start = (page - 1) * per_page
    shown = people(tx, order[start : start + per_page]) if start < len(order) else []
    return {"results": Page(shown, len(order), page, per_page), "facets": everyones}


def choice_lists(tx: Tx) -> dict[str, list[dict[str, Any]]]:
    """What the directory's and the explorer's forms offer (every topic, workstream, organisation and
    country, each with its members counted), kept per graph revision: counting every interest for the
    topics' list took 0.2 s a page at 100,000 members. In the database's order: the pages sort them by
    the names the reader reads (:func:`graphapp.pages.directory.filter_choices`)."""

    def build() -> dict[str, list[dict[str, Any]]]:
        return {
            "topics": topic_list(tx),
            "workstreams": workstream_list(tx),
            "organisations": organisation_list(tx),
            "places": place_list(tx),
        }

    kept: dict[str, list[dict[str, Any]]] = tx.derived.get("choice-lists", graph_revision(tx), build)
    return kept


def people_in(tx: Tx, view: MapView) -> int:
    """:func:`graphapp.queries.contactmap.people_in_view`, the whole network's kept per graph revision."""
    if view.kind != "network":
        return people_in_view(tx, view)
    counted: int = tx.derived.get("network-people", graph_revision(tx), lambda: people_in_view(tx, view))
    return counted


def map_of(tx: Tx, view: MapView) -> dict[str, Any]:
    """:func:`graphapp.queries.contactmap.read_map`, the whole network's kept per graph revision (one map
    per grouping): at 100,000 members grouping everyone by organisation took 5.6 s a view on LadybugDB.
    Other parts of the network are read each time. The map is shared: make a graph of it
    (:func:`graphapp.contactmap.contact_graph`), do not change it."""
    if view.kind != "network":
        return read_map(tx, view)
    kept: dict[str, Any] = tx.derived.get(
        ("network-map", view.aggregate), graph_revision(tx), lambda: read_map(tx, view)
    )
    return kept


def members_added(tx: Tx) -> list[tuple[str, str]]:
    """(when, member id) of every member the history says was added (by an import or an approved request),
    by time: kept per graph revision. After writes that said which members they changed (an import, a
    profile edit), only those members not listed yet are looked up; after any other write, all are read
    again. Reading every one of them for each home page took 5 s on Neo4j after an import of 100,000 people.
    (A member forgotten since is read again in full: forgetting does not say whom it changed.)"""
    from graphapp.queries.history import members_added_since, when_added

    now = graph_revision(tx)

    def update(kept: list[tuple[str, str]], revision: Any) -> list[tuple[str, str]] | None:
        changed = members_changed(tx, revision, now)
        if changed is None:
            return None  # (a write that did not say which members it changed: read them all again)
        listed = {m for _, m in kept}
        unlisted = sorted(changed - listed)
        return sorted([*kept, *when_added(tx, unlisted)]) if unlisted else kept

    added: list[tuple[str, str]] = tx.derived.get(
        "members-added", now, lambda: members_added_since(tx, ""), update
    )
    return added
