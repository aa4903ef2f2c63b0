"""The words graphapp shows people about suggestions and coverage gaps, made where they are shown.

The scorer and the gap finders (:mod:`graphapp.analytics`) return structure: shared topics with both
levels, how many hold each, the relation; a gap's kind, severity and numbers. This module says them in
English for the pages (through the Jinja globals ``reasons``, ``gap_detail`` and ``severity`` that
``create_app`` registers), the API's JSON and the CLI. One module of words, so that another language is
one more module like it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from flask_babel import ngettext

from graphapp.analytics.asks import Helper, Helpers
from graphapp.analytics.journey_match import AheadTopic, BeenThere, JourneySuggestions
from graphapp.analytics.suggestions import Suggestion, Suggestions
from graphapp.i18n import _, _l, word
from graphapp.queries.schema import LEVELS

__all__ = [
    "AREA_FINDING_WORDS",
    "SEVERITY",
    "STAGE_HEADINGS",
    "STAGE_NAMES",
    "TO_BE_DEFINED",
    "ahead_reason",
    "balance_note",
    "area_coverage_summary",
    "area_finding_detail",
    "worded_area_coverage",
    "gap_detail",
    "helper_reasons",
    "helpers_note",
    "note",
    "reasons",
    "severity",
    "stuck_detail",
    "worded_helpers",
    "worded_report",
    "worded_suggestions",
]

#: A gap's severity in words (3 is the worst).
SEVERITY = {3: "critical", 2: "serious", 1: "worth a look"}

#: Why a list of suggestions is empty (:attr:`Suggestions.empty_because`), in words; ``%(name)s`` is the member's.
EMPTY = {
    "no-topics": _l("%(name)s has no topics yet: add some to the profile to get suggestions"),
    "no-fit": _l("nobody can be suggested for these topics in this mode"),
    "nobody-passes": _l("nobody else shares these topics under these options"),
}
#: Why nobody fits a mode in which only some levels count (``no-fit`` in the mentors and mentees modes).
NO_FIT = {
    "mentors": _l(
        "%(name)s is learning no topic yet: a mentor is someone ahead of %(name)s on a topic %(name)s is learning"
    ),
    "mentees": _l(
        "%(name)s is an expert in no topic yet: a mentee is someone learning a topic %(name)s is an expert in"
    ),
}

#: A topic held by this many people or fewer is called rare.
RARE = 5

_L, _P, _E = LEVELS
#: One shared topic in a sentence, by (the member's level, the other's level): ``%(owner)s`` is the member
#: whose suggestions these are, ``%(name)s`` the person suggested, ``%(topic)s`` the topic.
TOPIC_SAID = {
    (_L, _L): _l("%(owner)s and %(name)s are both learning %(topic)s"),
    (_P, _P): _l("%(owner)s and %(name)s both practise %(topic)s"),
    (_E, _E): _l("%(owner)s and %(name)s are both experts in %(topic)s"),
    (_L, _P): _l("%(name)s practises %(topic)s, which %(owner)s is learning"),
    (_L, _E): _l("%(name)s is an expert in %(topic)s, which %(owner)s is learning"),
    (_P, _E): _l("%(name)s is an expert in %(topic)s, which %(owner)s practises"),
    (_P, _L): _l("%(name)s is learning %(topic)s, which %(owner)s practises"),
    (_E, _L): _l("%(name)s is learning %(topic)s, in which %(owner)s is an expert"),
    (_E, _P): _l("%(name)s practises %(topic)s, in which %(owner)s is an expert"),
}
#: The same, said to the member whose suggestions these are (on their own profile and home page).
TOPIC_SAID_TO_YOU = {
    (_L, _L): _l("you and %(name)s are both learning %(topic)s"),
    (_P, _P): _l("you and %(name)s both practise %(topic)s"),
    (_E, _E): _l("you and %(name)s are both experts in %(topic)s"),
    (_L, _P): _l("%(name)s practises %(topic)s, which you are learning"),
    (_L, _E): _l("%(name)s is an expert in %(topic)s, which you are learning"),
    (_P, _E): _l("%(name)s is an expert in %(topic)s, which you practise"),
    (_P, _L): _l("%(name)s is learning %(topic)s, which you practise"),
    (_E, _L): _l("%(name)s is learning %(topic)s, in which you are an expert"),
    (_E, _P): _l("%(name)s practises %(topic)s, in which you are an expert"),
}


def _topic_said(topic: str, mine: str, theirs: str, name: str, owner: str | None) -> str:
    said = TOPIC_SAID_TO_YOU if owner is None else TOPIC_SAID
    return str(said[mine, theirs]) % {"name": name, "owner": owner, "topic": topic}


def reasons(s: Suggestion | BeenThere, owner: str | None = None) -> list[str]:
    """Why ``s`` is suggested, one sentence per shared topic (those that make the match in the mode first;
    one that works the other way round is said to), then shared workstreams and region.

    Said from the reader's side: with ``owner`` (the name of the member whose suggestions these are) both
    people are named; without it (the member reads their own), the member is "you". In a request the
    words are in the reader's language, elsewhere (the API, the CLI) in English.

    Examples
    --------
    >>> from graphapp.analytics.suggestions import SharedTopic
    >>> nlp = SharedTopic("nlp", "NLP", "learning", "expert", 3, "mentor")
    >>> gis = SharedTopic("gis", "GIS", "practising", "learning", 9, "peer", False)
    >>> s = Suggestion("m-1", "Ann", None, None, "Europe", 0.5, "mentor", [nlp, gis], ["WS2"], True)
    >>> reasons(s, "Timo")
    ['Ann is an expert in NLP, which Timo is learning (a rare topic: 3 people hold it)', 'the other way round: Ann is learning GIS, which Timo practises', 'Timo and Ann are both in WS2', 'in the same region (Europe)']
    >>> reasons(s)[0]
    'Ann is an expert in NLP, which you are learning (a rare topic: 3 people hold it)'
    """
    if isinstance(s, BeenThere):
        return [ahead_reason(a, s.name, owner) for a in s.ahead] + _shared(s, owner)
    said = []
    for t in s.shared_topics:
        one = _topic_said(t.name, t.mine, t.theirs, s.name, owner)
        if t.holders <= RARE:
            one = ngettext(
                "%(reason)s (a rare topic: %(num)d person holds it)",
                "%(reason)s (a rare topic: %(num)d people hold it)",
                t.holders,
                reason=one,
            )
        if not t.counts:
            one = _("the other way round: %(reason)s", reason=one)
        said.append(one)
    return said + _shared(s, owner)


def _shared(s: Suggestion | BeenThere, owner: str | None) -> list[str]:
    said = []
    if s.shared_workstreams:
        workstreams = ", ".join(s.shared_workstreams)
        if owner is None:
            said.append(
                _("you and %(name)s are both in %(workstreams)s", name=s.name, workstreams=workstreams)
            )
        else:
            said.append(
                _(
                    "%(owner)s and %(name)s are both in %(workstreams)s",
                    owner=owner,
                    name=s.name,
                    workstreams=workstreams,
                )
            )
    if s.same_region:
        said.append(_("in the same region (%(region)s)", region=s.region))
    return said


def note(result: Suggestions | JourneySuggestions) -> str | None:
    """Why the list is empty, when it is (None otherwise).

    Examples
    --------
    >>> note(Suggestions("m-1", "Ann", "all", empty_because="no-topics"))
    'Ann has no topics yet: add some to the profile to get suggestions'
    """
    if result.empty_because is None:
        return None
    if isinstance(result, JourneySuggestions):
        said = str(BEEN_THERE_EMPTY[result.empty_because]) % {"name": result.name}
        return str(BEEN_THERE_HELP) % {"said": said} if not result.projects else said
    if result.empty_because == "no-fit" and result.mode in NO_FIT:
        return str(NO_FIT[result.mode]) % {"name": result.name}
    return str(EMPTY[result.empty_because]) % {"name": result.name}


def balance_note(result: Suggestions) -> list[str]:
    """In the mixed mode, why the list holds no mentor or no mentee, when it does not: nobody fits, or how
    many the mode of that kind lists.

    Examples
    --------
    >>> balance_note(Suggestions("m-1", "Ann", "all", elsewhere={"mentor": 0, "mentee": 4}))
    ['No mentor among these: nobody is ahead of Ann on a topic Ann is learning.', 'No mentee among these: the Mentees list has 4 people learning a topic Ann is an expert in.']
    """
    said = []
    for kind, n in result.elsewhere.items():
        if kind == "mentor":
            said.append(
                _(
                    "No mentor among these: nobody is ahead of %(name)s on a topic %(name)s is learning.",
                    name=result.name,
                )
                if not n
                else ngettext(
                    "No mentor among these: the Mentors list has %(num)d person ahead of %(name)s on a topic %(name)s is learning.",
                    "No mentor among these: the Mentors list has %(num)d people ahead of %(name)s on a topic %(name)s is learning.",
                    n,
                    name=result.name,
                )
            )
        else:
            said.append(
                _(
                    "No mentee among these: nobody is learning a topic %(name)s is an expert in.",
                    name=result.name,
                )
                if not n
                else ngettext(
                    "No mentee among these: the Mentees list has %(num)d person learning a topic %(name)s is an expert in.",
                    "No mentee among these: the Mentees list has %(num)d people learning a topic %(name)s is an expert in.",
                    n,
                    name=result.name,
                )
            )
    return said


# --- Been there: people further along the journey (issue 14) ------------------------------------------

#: Why the been-there list is empty (:class:`JourneySuggestions`), in words.
BEEN_THERE_EMPTY = {
    "no-topics": _l("%(name)s has no topics or projects yet"),
    "nobody-ahead": _l("nobody has a project further along than %(name)s's own on these topics yet"),
    "nobody-passes": _l("those further along on these topics are all left out under these options"),
}
#: What would help, said after the above when the member works on no project.
BEEN_THERE_HELP = _l(
    "%(said)s: add your projects (with their topics and stage) so that people who have been there can be found"
)

#: What someone ahead did on a topic, by stage, with the organisation (``at``) or without; ``%(year)s``.
AHEAD_SAID = {
    ("idea", False): _l("%(name)s started on %(topic)s (the idea stage) in %(year)s"),
    ("idea", True): _l("%(name)s started on %(topic)s (the idea stage) at %(organisation)s in %(year)s"),
    ("demonstration", False): _l("%(name)s took %(topic)s to a demonstration in %(year)s"),
    ("demonstration", True): _l("%(name)s took %(topic)s to a demonstration at %(organisation)s in %(year)s"),
    ("production", False): _l("%(name)s took %(topic)s to production in %(year)s"),
    ("production", True): _l("%(name)s took %(topic)s to production at %(organisation)s in %(year)s"),
    ("maintenance", False): _l("%(name)s took %(topic)s to production and has maintained it since %(year)s"),
    ("maintenance", True): _l(
        "%(name)s took %(topic)s to production and has maintained it at %(organisation)s since %(year)s"
    ),
}


def ahead_reason(a: AheadTopic, name: str, owner: str | None = None) -> str:
    """Why ``name``, ahead on one topic, is suggested: the stage they reached, where and when, where the
    member is (``owner``, or "you" without it), and their levels when theirs is above.

    Examples
    --------
    >>> a = AheadTopic("rl", "record linkage", "production", "2023-04-01", "p1", "Linking", "Statistics Canada",
    ...                "demonstration", 1, "learning", "expert", 0.9)
    >>> ahead_reason(a, "Ann")
    'Ann took record linkage to production at Statistics Canada in 2023; you are at the demonstration stage; Ann is an expert in record linkage, which you are learning'
    >>> ahead_reason(AheadTopic("rl", "record linkage", "demonstration", "", "p1", "Linking", None, None,
    ...                         2, None, "practising", 0.5), "Ann", "Timo")
    'Ann is at the demonstration stage with record linkage; Timo has no project on it yet'
    """
    words = {"name": name, "owner": owner, "topic": a.name, "organisation": a.organisation}
    if a.day:
        said = str(AHEAD_SAID[a.stage, bool(a.organisation)]) % {**words, "year": a.day[:4]}
    elif a.organisation:
        said = _(
            "%(name)s is at the %(stage)s stage with %(topic)s at %(organisation)s",
            **words,
            stage=word(a.stage, "stage"),
        )
    else:
        said = _("%(name)s is at the %(stage)s stage with %(topic)s", **words, stage=word(a.stage, "stage"))
    parts = [said]
    if a.my_stage:
        stage = word(a.my_stage, "stage")
        parts.append(
            _("you are at the %(stage)s stage", stage=stage)
            if owner is None
            else _("%(owner)s is at the %(stage)s stage", owner=owner, stage=stage)
        )
    else:
        parts.append(
            _("you have no project on it yet")
            if owner is None
            else _("%(owner)s has no project on it yet", owner=owner)
        )
    if a.mine and a.theirs and a.theirs != a.mine and LEVELS.index(a.theirs) > LEVELS.index(a.mine):
        parts.append(_topic_said(a.name, a.mine, a.theirs, name, owner))
    return "; ".join(parts)


def worded_suggestions(result: Suggestions | JourneySuggestions) -> dict[str, Any]:
    """A member's suggestions as the API and ``graphapp suggest --json`` give them: each suggestion with
    its ``reasons`` in sentences (both people named), the ``note`` that says why the list is empty, when
    it is, and in the mixed mode ``balance``: why it holds no mentor or mentee, when it does not."""
    return {
        "member": result.member,
        "name": result.name,
        "mode": result.mode,
        "note": note(result),
        "balance": balance_note(result) if isinstance(result, Suggestions) else [],
        "suggestions": [{**asdict(s), "reasons": reasons(s, result.name)} for s in result.suggestions],
    }


def severity(level: int) -> str:
    """A severity (3, 2, 1) in words.

    Examples
    --------
    >>> severity(3)
    'critical'
    """
    return SEVERITY[level]


def _members(n: int) -> str:
    return f"{n} member{'s' if n != 1 else ''}"


def gap_detail(gap: Mapping[str, Any]) -> str:
    """A gap (as in the coverage report: ``kind`` and ``numbers``) in one sentence.

    Examples
    --------
    >>> gap_detail({"kind": "topic-unheld", "numbers": {"workstreams": ["WS1"]}})
    'nobody works on it; WS1 covers it'
    >>> gap_detail({"kind": "broker", "numbers": {"splits_off": 2}})
    'the only link to 2 other member(s) in the contact network'
    >>> gap_detail({"kind": "stuck", "numbers": {"stage": "demonstration", "next": "production", "projects": 5}})
    '5 projects reached demonstration, none production'
    """
    kind, n = gap["kind"], gap["numbers"]
    if kind == "topic-unheld":
        ws = n.get("workstreams") or []
        return "nobody works on it" + (
            f"; {', '.join(ws)} cover{'s' if len(ws) == 1 else ''} it" if ws else ""
        )
    if kind == "topic-without-expert":
        return f"no expert; {n['learning']} learning"
    if kind == "topic-demand-exceeds-supply":
        return f"{n['learning']} learning for {n['expert']} expert(s)"
    if kind == "workstream-few-members":
        return _members(n["members"])
    if kind in ("region-few-members", "country-few-members"):
        return f"{n['members']} member(s)"
    if kind == "topic-ask-without-expert":
        asks = f"{n['asks']} open ask{'s' if n['asks'] != 1 else ''}"
        return f"{asks} and no expert" + (
            "; nobody works on it" if not n["holders"] else f"; {_members(n['holders'])} hold it"
        )
    if kind == "broker":
        return f"the only link to {n['splits_off']} other member(s) in the contact network"
    if kind == "stuck":
        return stuck_detail(n)
    return FIXED[kind]


# --- The journey (issue 14 §2) --------------------------------------------------------------------------

#: The stages of the journey, as the group names them (a column of the themes-by-stage map).
STAGE_NAMES = {
    "idea": "Idea",
    "demonstration": "Demonstration",
    "production": "Production",
    "maintenance": "Maintenance",
}
#: What each stage is, in the group's words (under the map's column headings).
STAGE_HEADINGS = {
    "idea": "Where a machine-learning use starts",
    "demonstration": "Moving from idea to valid solution (demonstration)",
    "production": "From valid solution to production",
    "maintenance": "Ensuring production robustness (maintenance)",
}
#: An empty cell of the map, in the group's words: a gap.
TO_BE_DEFINED = "To be defined"


def stuck_detail(n: Mapping[str, Any]) -> str:
    """A topic stuck at a stage (the numbers of a ``stuck`` gap) in one sentence.

    Examples
    --------
    >>> stuck_detail({"stage": "idea", "next": "demonstration", "projects": 1})
    '1 project reached idea, none demonstration'
    """
    many = n["projects"]
    return f"{many} project{'s' if many != 1 else ''} reached {n['stage']}, none {n['next']}"


#: The gaps whose sentence does not depend on their numbers.
FIXED = {
    "topic-single-person": "one person holds it: a single point of failure",
    "topic-single-organisation": "held inside one organisation only",
    "workstream-without-lead": "no lead",
    "region-without-members": "no members",
    "country-without-members": "an organisation here, but no members",
    "organisation-single-member": "one member: the network's link to it hangs on one person",
    "member-without-topics": "no topics: nobody can be suggested",
    "member-without-peer": "nobody outside their organisation shares any of their topics",
}


def worded_report(report: Mapping[str, Any]) -> dict[str, Any]:
    """The coverage report as the API and ``graphapp gaps --json`` give it: each gap with its ``detail``
    and the summary's count of gaps by severity in words. (The report itself is kept per graph revision
    and shared: it is copied, not changed.)"""
    summary = dict(report["summary"])
    summary["gaps"] = {SEVERITY[int(level)]: n for level, n in summary["gaps"].items()}
    gaps = [{**g, "detail": gap_detail(g)} for g in report["gaps"]]
    return {**report, "summary": summary, "gaps": gaps}


# --- Who can help with an ask ------------------------------------------------------------------------------

#: Why nobody is listed to help with an ask (:attr:`Helpers.empty_because`), in words.
HELPERS_EMPTY = {
    "no-topics": _l("this ask names no topic of the network"),
    "nobody-holds": _l("nobody else works on these topics yet"),
    "nobody-passes": _l("those who work on these topics chose not to be suggested or introduced"),
}
#: A helper's level on one of the ask's topics, in a few words.
HELPER_SAID = {
    _L: _l("learning %(topic)s"),
    _P: _l("practising %(topic)s"),
    _E: _l("expert in %(topic)s"),
}

#: Where an introduction was asked from, in words (graphapp.queries.introductions.INTRODUCTION_KINDS).
INTRODUCTION_FROM = {
    "peer": "a suggested peer",
    "mentor": "a suggested mentor",
    "mentee": "a suggested mentee",
    "been-there": "a suggestion of someone who has been there",
    "ask": "an ask",
    "profile": "a profile",
}


def helper_reasons(h: Helper) -> list[str]:
    """Why ``h`` is listed for an ask: their level on each of the ask's topics they hold, highest first.

    Examples
    --------
    >>> from graphapp.analytics.asks import HelperTopic
    >>> h = Helper("m-1", "Ann", None, None, None, {}, [HelperTopic("nlp", "NLP", "expert", 3)])
    >>> helper_reasons(h)
    ['expert in NLP (rare: 3 people)']
    """
    said = []
    for t in h.topics:
        one = str(HELPER_SAID[t.level]) % {"topic": t.name}
        if t.holders <= RARE:
            said.append(
                ngettext("%(said)s (rare: %(num)d person)", "%(said)s (rare: %(num)d people)", t.holders, said=one)
            )
        else:
            said.append(_("%(said)s (%(num)d people)", said=one, num=t.holders))
    return said


def helpers_note(found: Helpers) -> str | None:
    """Why nobody is listed to help, when nobody is (None otherwise).

    Examples
    --------
    >>> helpers_note(Helpers(["nlp"], empty_because="nobody-holds"))
    'nobody else works on these topics yet'
    """
    return str(HELPERS_EMPTY[found.empty_because]) if found.empty_because else None


def worded_helpers(found: Helpers) -> dict[str, Any]:
    """Who can help with an ask, as the API gives it: each helper with their ``reasons`` in sentences."""
    return {
        "topics": found.topics,
        "note": helpers_note(found),
        "helpers": [{**asdict(h), "reasons": helper_reasons(h)} for h in found.helpers],
    }


# --- Coverage by competence area and region (issue 14 §3, rollup) -------------------------------------------

#: A finding of the area rollup (:mod:`graphapp.analytics.rollup`) in a few words, for a table's cell.
AREA_FINDING_WORDS = {
    "no-expert-anywhere": "no expert anywhere",
    "no-expert-in-region": "no expert",
    "demand-exceeds-supply": "more learners than experts",
}


def _levels_said(n: Mapping[str, int]) -> str:
    """ "1 expert, 2 practising, 3 learning" (the levels held; "nobody holds it" when none)."""
    said = [
        f"{n[level]} {'expert' + ('s' if n[level] != 1 else '') if level == 'expert' else level}"
        for level in ("expert", "practising", "learning")
        if n.get(level)
    ]
    return ", ".join(said) or "nobody holds it"


def area_finding_detail(finding: Mapping[str, Any]) -> str:
    """A finding of the area rollup in one sentence.

    Examples
    --------
    >>> area_finding_detail({"kind": "no-expert-in-region", "name": "Data Management", "region": "Africa",
    ...                      "numbers": {"expert": 0, "practising": 2, "learning": 3}})
    'Data Management has no expert in Africa (2 practising, 3 learning)'
    >>> area_finding_detail({"kind": "demand-exceeds-supply", "name": "Data Management", "region": None,
    ...                      "numbers": {"expert": 1, "practising": 0, "learning": 2}})
    'Data Management: more members learning it than expert in it, across the network (1 expert, 2 learning)'
    """
    kind, name, n, region = finding["kind"], finding["name"], finding["numbers"], finding.get("region")
    where = f"in {region}" if region else "across the network"
    if kind == "no-expert-anywhere":
        return f"{name} has no expert anywhere in the network ({_levels_said(n)})"
    if kind == "no-expert-in-region":
        return f"{name} has no expert {where} ({_levels_said(n)})"
    return f"{name}: more members learning it than expert in it, {where} ({_levels_said(n)})"


def _listed(names: list[str], most: int = 4) -> str:
    """ "A, B and C"; past ``most``, "A, B, C, D and 3 more"."""
    if len(names) > most:
        return f"{', '.join(names[:most])} and {len(names) - most} more"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def area_coverage_summary(rolled: Mapping[str, Any]) -> list[str]:
    """The rollup in a few plain sentences, the top areas' findings by name first.

    Examples
    --------
    >>> area_coverage_summary({"areas": [], "findings": [], "summary": {"areas": 0}})
    ['No competence taxonomy is held: there are no areas to count.']
    """
    if not rolled["summary"]["areas"]:
        return ["No competence taxonomy is held: there are no areas to count."]
    findings = rolled["findings"]
    said = []
    anywhere = [f["name"] for f in findings if f["kind"] == "no-expert-anywhere"]
    if anywhere:
        areas = "area has" if len(anywhere) == 1 else "areas have"
        said.append(f"{len(anywhere)} {areas} no expert anywhere in the network: {_listed(anywhere)}.")
    top: dict[str, list[str]] = {}
    narrower: set[str] = set()
    for f in findings:
        if f["kind"] == "no-expert-in-region":
            if f["depth"] == 0:
                top.setdefault(f["name"], []).append(f["region"])
            else:
                narrower.add(f["area"])
    for name, regions in top.items():
        said.append(f"{name} has no expert in {_listed(regions, 5).replace(' and ', ' or ')}.")
    if narrower:
        areas = "narrower area has" if len(narrower) == 1 else "narrower areas have"
        where = f"in {rolled['regions'][0]}" if len(rolled["regions"]) == 1 else "in a region"
        said.append(f"{len(narrower)} {areas} no expert {where} where members hold them.")
    demand = [f["name"] for f in findings if f["kind"] == "demand-exceeds-supply" and f["region"] is None]
    in_regions = sum(1 for f in findings if f["kind"] == "demand-exceeds-supply" and f["region"])
    if demand:
        areas = "area" if len(demand) == 1 else "areas"
        said.append(
            f"Learning demand exceeds expert supply in {len(demand)} {areas} across the network: "
            f"{_listed(demand)}."
        )
    if in_regions:
        times = "once" if in_regions == 1 else f"{in_regions} times"
        said.append(f"Within single regions, learners outnumber experts in an area {times}.")
    if not said:
        said.append("Every area held has an expert wherever it is held, and no more learners than experts.")
    return said


def worded_area_coverage(rolled: Mapping[str, Any]) -> dict[str, Any]:
    """The area rollup as the API and ``graphapp taxonomy coverage --json`` give it: its findings each
    with their ``detail``, and ``said``: the summary in sentences. (The rollup is kept per graph
    revision and shared: it is copied, not changed.)"""
    return {
        **rolled,
        "findings": [{**f, "detail": area_finding_detail(f)} for f in rolled["findings"]],
        "said": area_coverage_summary(rolled),
    }
