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

from flask_babel import force_locale
from flask_babel import ngettext as babel_ngettext

from graphapp.analytics.asks import Helper, Helpers
from graphapp.analytics.journey_match import AheadTopic, BeenThere, JourneySuggestions
from graphapp.analytics.suggestions import TWO_STEPS, Suggestion, Suggestions
from graphapp.i18n import _ as babel_gettext
from graphapp.i18n import _l, country_in, word
from graphapp.queries.schema import LEVELS

__all__ = [
    "AREA_FINDING_WORDS",
    "GAP_KINDS",
    "SEVERITY",
    "STAGE_HEADINGS",
    "STAGE_NAMES",
    "TO_BE_DEFINED",
    "ahead_reason",
    "balance_note",
    "area_coverage_summary",
    "area_finding_detail",
    "worded_area_coverage",
    "gap_act",
    "gap_detail",
    "gap_kind",
    "gap_name",
    "helper_reasons",
    "helpers_note",
    "note",
    "reasons",
    "severity",
    "stuck_detail",
    "two_steps_reasons",
    "worded_helpers",
    "worded_report",
    "worded_suggestions",
]


def _(text: str, **variables: Any) -> str:
    """``text`` in the reader's language (Flask-Babel's ``gettext``, typed)."""
    return str(babel_gettext(text, **variables))


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """The form of ``singular``/``plural`` for ``num`` in the reader's language (``%(num)d`` is ``num``)."""
    return str(babel_ngettext(singular, plural, num, **variables))


#: A gap's severity in words (3 is the worst), in the reader's language when shown.
SEVERITY = {3: _l("critical"), 2: _l("serious"), 1: _l("worth a look")}

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
    if s.kind == TWO_STEPS:
        return two_steps_reasons(s, owner) + _shared(s, owner)
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


def _listed_people(s: Suggestion) -> str:
    names = ", ".join(p.name for p in s.between)
    more = s.between_count - len(s.between)
    if more > 0:
        return ngettext("%(names)s and %(num)d other", "%(names)s and %(num)d others", more, names=names)
    return names


def two_steps_reasons(s: Suggestion, owner: str | None = None) -> list[str]:
    """Why someone two steps away is suggested: the people in between, named, and that they share no
    topic with the member (never said as a shared interest); then the topics of theirs that connect.

    Examples
    --------
    >>> from graphapp.analytics.suggestions import Person
    >>> s = Suggestion("m-9", "Dee", None, None, None, 0.01, "two-steps", [], [], False,
    ...                [Person("m-1", "Ann"), Person("m-2", "Bo")], 2, [Person("gis", "GIS")])
    >>> two_steps_reasons(s, "Timo")
    ['Dee shares topics with 2 people who share topics with Timo: Ann, Bo', 'Dee shares no topic with Timo; the topics of Dee that connect them: GIS']
    >>> two_steps_reasons(s)[0]
    'Dee shares topics with 2 people who share topics with you: Ann, Bo'
    """
    people = _listed_people(s)
    topics = ", ".join(t.name for t in s.their_topics)
    if owner is None:
        said = [
            ngettext(
                "%(name)s shares topics with %(num)d person who shares topics with you: %(people)s",
                "%(name)s shares topics with %(num)d people who share topics with you: %(people)s",
                s.between_count,
                name=s.name,
                people=people,
            ),
            _(
                "%(name)s shares no topic with you; the topics of %(name)s that connect you: %(topics)s",
                name=s.name,
                topics=topics,
            ),
        ]
    else:
        said = [
            ngettext(
                "%(name)s shares topics with %(num)d person who shares topics with %(owner)s: %(people)s",
                "%(name)s shares topics with %(num)d people who share topics with %(owner)s: %(people)s",
                s.between_count,
                name=s.name,
                owner=owner,
                people=people,
            ),
            _(
                "%(name)s shares no topic with %(owner)s; the topics of %(name)s that connect them: %(topics)s",
                name=s.name,
                owner=owner,
                topics=topics,
            ),
        ]
    return said


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
    """A severity (3, 2, 1) in words (in the reader's language, in a request).

    Examples
    --------
    >>> severity(3)
    'critical'
    """
    return str(SEVERITY[level])


#: What each kind of gap is about, in a few words (the "What" of the coverage page).
GAP_KINDS = {
    "topic-unheld": _l("topic nobody holds"),
    "topic-single-person": _l("topic held by one person"),
    "topic-single-organisation": _l("topic held in one organisation"),
    "topic-without-expert": _l("topic without an expert"),
    "topic-demand-exceeds-supply": _l("more learners than experts"),
    "topic-ask-without-expert": _l("asks nobody can answer"),
    "workstream-without-lead": _l("workstream without a lead"),
    "workstream-few-members": _l("workstream with few members"),
    "region-without-members": _l("region without members"),
    "region-few-members": _l("region with few members"),
    "country-without-members": _l("country without members"),
    "country-few-members": _l("country with few members"),
    "organisation-without-members": _l("organisation without members"),
    "organisation-single-member": _l("organisation with one member"),
    "member-without-topics": _l("member without topics"),
    "member-without-peer": _l("member without a peer"),
    "broker": _l("broker"),
    "stuck": _l("projects stuck at a stage"),
}


def gap_kind(kind: str) -> str:
    """What a kind of gap is about, in a few words.

    >>> gap_kind("broker"), gap_kind("something new")
    ('broker', 'something new')
    """
    found = GAP_KINDS.get(kind)
    return str(found) if found is not None else kind.replace("-", " ")


def gap_name(gap: Mapping[str, Any]) -> str:
    """A gap's subject by name: a country's in the reader's language, anything else as entered.

    >>> gap_name({"kind": "country-few-members", "subject": "CHE", "name": "CHE"})
    'Switzerland'
    """
    if gap["kind"].startswith("country-"):
        from graphapp.exports import country_name

        return country_in(country_name(gap["subject"]))
    if gap["kind"].startswith("region-"):
        return word(gap["subject"], "region")
    return str(gap["name"])


def _members(n: int) -> str:
    return ngettext("%(num)d member", "%(num)d members", n)


def _listed_names(names: list[str]) -> str:
    """ "A, B and C" in the reader's language."""
    if len(names) == 1:
        return names[0]
    return _("%(names)s and %(last)s", names=", ".join(names[:-1]), last=names[-1])


def gap_detail(gap: Mapping[str, Any]) -> str:
    """A gap (as in the coverage report: ``kind`` and ``numbers``) in one sentence.

    Examples
    --------
    >>> gap_detail({"kind": "topic-unheld", "numbers": {"workstreams": ["WS1"]}})
    'nobody works on it; WS1 covers it'
    >>> gap_detail({"kind": "broker", "numbers": {"splits_off": 2}})
    'the only link to 2 other members in the contact network'
    >>> gap_detail({"kind": "stuck", "numbers": {"stage": "demonstration", "next": "production", "projects": 5}})
    '5 projects reached demonstration, none production'
    """
    kind, n = gap["kind"], gap["numbers"]
    if kind == "topic-unheld":
        ws = n.get("workstreams") or []
        if not ws:
            return _("nobody works on it")
        return ngettext(
            "nobody works on it; %(workstreams)s covers it",
            "nobody works on it; %(workstreams)s cover it",
            len(ws),
            workstreams=_listed_names(ws),
        )
    if kind == "topic-without-expert":
        return ngettext("no expert; %(num)d learning", "no expert; %(num)d learning", n["learning"])
    if kind == "topic-demand-exceeds-supply":
        return ngettext(
            "%(learning)s learning for %(num)d expert",
            "%(learning)s learning for %(num)d experts",
            n["expert"],
            learning=n["learning"],
        )
    if kind in ("workstream-few-members", "region-few-members", "country-few-members"):
        return _members(n["members"])
    if kind == "topic-ask-without-expert":
        if not n["holders"]:
            return ngettext(
                "%(num)d open ask and no expert; nobody works on it",
                "%(num)d open asks and no expert; nobody works on it",
                n["asks"],
            )
        return ngettext(
            "%(num)d open ask and no expert; %(holders)s hold it",
            "%(num)d open asks and no expert; %(holders)s hold it",
            n["asks"],
            holders=_members(n["holders"]),
        )
    if kind == "broker":
        return ngettext(
            "the only link to %(num)d other member in the contact network",
            "the only link to %(num)d other members in the contact network",
            n["splits_off"],
        )
    if kind == "stuck":
        return stuck_detail(n)
    return str(FIXED[kind])


#: What a candidate holds of a workstream's topics, by level (``%(topic)s``: the topic's name).
HOLDS = {
    "expert": _l("expert in %(topic)s"),
    "practising": _l("practising %(topic)s"),
    "learning": _l("learning %(topic)s"),
}


def gap_act(gap: Mapping[str, Any]) -> dict[str, Any] | None:
    """What a coordinator can act on for a gap: ``lead`` (a sentence that says what to do) and
    ``people`` (each with ``id``, ``name`` and ``why``, in words), or None when the gap names nobody.

    Examples
    --------
    >>> act = gap_act({"kind": "topic-demand-exceeds-supply", "numbers": {}, "named": 3,
    ...                "act": [{"id": "m-1", "name": "Ann", "organisation": "ONS", "region": "Europe",
    ...                         "level": "expert", "outside": "Africa"}]})
    >>> act["lead"], act["people"][0]["why"], act["more"]
    ('Possible mentors for its learners:', 'expert, ONS, Europe: outside Africa, where most learners are', 2)
    >>> gap_act({"kind": "organisation-without-members", "numbers": {}})["lead"]
    'Invite someone who works there to join.'
    """
    kind, people = gap["kind"], gap.get("act") or []
    if kind == "organisation-without-members":
        return {"lead": _("Invite someone who works there to join."), "people": []}
    if not people:
        if kind == "workstream-without-lead":
            return {
                "lead": _("Nobody in it or expert in its topics can be suggested: look further."),
                "people": [],
            }
        if kind in ("topic-demand-exceeds-supply", "topic-without-expert", "topic-ask-without-expert"):
            return {"lead": _("Nobody can mentor it yet: look outside the network."), "people": []}
        return None
    said = []
    for p in people:
        where = ", ".join(x for x in (p.get("organisation"), word(p.get("region"), "region")) if x)
        if kind == "broker":
            why = where
        elif kind == "workstream-without-lead":
            holds = [str(HOLDS[t["level"]]) % {"topic": t["name"]} for t in p["topics"]]
            held = _listed_names(holds) if holds else ""
            if p["member"]:
                why = (
                    _("member of the workstream; %(held)s", held=held)
                    if held
                    else _("member of the workstream")
                )
            else:
                why = _("%(held)s; not yet a member of the workstream", held=held)
        else:
            why = word(p["level"], "level") + (", " + where if where else "")
            if p.get("outside"):
                why = _(
                    "%(who)s: outside %(region)s, where most learners are",
                    who=why,
                    region=word(p["outside"], "region"),
                )
        said.append({"id": p["id"], "name": p["name"], "why": why})
    if kind == "broker":
        total = gap.get("named") or len(people)
        lead = ngettext(
            "Only %(name)s connects %(num)d person to the rest of the network: introduce them to others:",
            "Only %(name)s connects %(num)d people to the rest of the network: introduce them to others:",
            total,
            name=gap.get("name", ""),
        )
    elif kind == "workstream-without-lead":
        lead = _("Who could lead it, best first:")
    else:
        lead = _("Possible mentors for its learners:")
    return {"lead": lead, "people": said, "more": max(0, int(gap.get("named") or 0) - len(people))}


# --- The journey (issue 14 §2) --------------------------------------------------------------------------

#: The stages of the journey, as the group names them (a column of the themes-by-stage map).
STAGE_NAMES = {
    "idea": _l("Idea"),
    "demonstration": _l("Demonstration"),
    "production": _l("Production"),
    "maintenance": _l("Maintenance"),
}
#: What each stage is, in the group's words (under the map's column headings).
STAGE_HEADINGS = {
    "idea": _l("Where a machine-learning use starts"),
    "demonstration": _l("Moving from idea to valid solution (demonstration)"),
    "production": _l("From valid solution to production"),
    "maintenance": _l("Ensuring production robustness (maintenance)"),
}
#: An empty cell of the map, in the group's words: a gap.
TO_BE_DEFINED = _l("To be defined")


def stuck_detail(n: Mapping[str, Any]) -> str:
    """A topic stuck at a stage (the numbers of a ``stuck`` gap) in one sentence.

    Examples
    --------
    >>> stuck_detail({"stage": "idea", "next": "demonstration", "projects": 1})
    '1 project reached idea, none demonstration'
    """
    return ngettext(
        "%(num)d project reached %(stage)s, none %(next)s",
        "%(num)d projects reached %(stage)s, none %(next)s",
        n["projects"],
        stage=word(n["stage"], "stage"),
        next=word(n["next"], "stage"),
    )


#: The gaps whose sentence does not depend on their numbers.
FIXED = {
    "topic-single-person": _l("one person holds it: a single point of failure"),
    "topic-single-organisation": _l("held inside one organisation only"),
    "workstream-without-lead": _l("no lead"),
    "region-without-members": _l("no members"),
    "country-without-members": _l("an organisation here, but no members"),
    "organisation-without-members": _l("listed, but nobody from it is a member"),
    "organisation-single-member": _l("one member: the network's link to it hangs on one person"),
    "member-without-topics": _l("no topics: nobody can be suggested"),
    "member-without-peer": _l("nobody outside their organisation shares any of their topics"),
}


def worded_report(report: Mapping[str, Any]) -> dict[str, Any]:
    """The coverage report as the API and ``graphapp gaps --json`` give it: each gap with its ``detail``
    and the summary's count of gaps by severity in words, in English whatever the reader's language (the
    JSON is for programs). (The report itself is kept per graph revision and shared: it is copied, not
    changed.)"""
    with force_locale("en"):
        summary = dict(report["summary"])
        summary["gaps"] = {severity(int(level)): n for level, n in summary["gaps"].items()}
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
    "two-steps": "a suggestion of someone two steps away",
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
                ngettext(
                    "%(said)s (rare: %(num)d person)", "%(said)s (rare: %(num)d people)", t.holders, said=one
                )
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
    "no-expert-anywhere": _l("no expert anywhere"),
    "no-expert-in-region": _l("no expert"),
    "demand-exceeds-supply": _l("more learners than experts"),
}


def _levels_said(n: Mapping[str, int]) -> str:
    """ "1 expert, 2 practising, 3 learning" (the levels held; "nobody holds it" when none)."""
    said = []
    if n.get("expert"):
        said.append(ngettext("%(num)d expert", "%(num)d experts", n["expert"]))
    if n.get("practising"):
        said.append(_("%(num)d practising", num=n["practising"]))
    if n.get("learning"):
        said.append(_("%(num)d learning", num=n["learning"]))
    return ", ".join(said) or _("nobody holds it")


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
    levels = _levels_said(n)
    region = word(region, "region") if region else region
    if kind == "no-expert-anywhere":
        return _("%(area)s has no expert anywhere in the network (%(levels)s)", area=name, levels=levels)
    if kind == "no-expert-in-region":
        if region:
            return _(
                "%(area)s has no expert in %(region)s (%(levels)s)", area=name, region=region, levels=levels
            )
        return _("%(area)s has no expert across the network (%(levels)s)", area=name, levels=levels)
    if region:
        return _(
            "%(area)s: more members learning it than expert in it, in %(region)s (%(levels)s)",
            area=name,
            region=region,
            levels=levels,
        )
    return _(
        "%(area)s: more members learning it than expert in it, across the network (%(levels)s)",
        area=name,
        levels=levels,
    )


def _listed(names: list[str], most: int = 4, joined: str = "and") -> str:
    """ "A, B and C"; past ``most``, "A, B, C, D and 3 more" (``joined="or"``: "A, B or C")."""
    if len(names) > most:
        return ngettext(
            "%(names)s and %(num)d more",
            "%(names)s and %(num)d more",
            len(names) - most,
            names=", ".join(names[:most]),
        )
    if len(names) == 1:
        return names[0]
    if joined == "or":
        return _("%(names)s or %(last)s", names=", ".join(names[:-1]), last=names[-1])
    return _("%(names)s and %(last)s", names=", ".join(names[:-1]), last=names[-1])


def area_coverage_summary(rolled: Mapping[str, Any]) -> list[str]:
    """The rollup in a few plain sentences, the top areas' findings by name first.

    Examples
    --------
    >>> area_coverage_summary({"areas": [], "findings": [], "summary": {"areas": 0}})
    ['No competence taxonomy is held: there are no areas to count.']
    """
    if not rolled["summary"]["areas"]:
        return [_("No competence taxonomy is held: there are no areas to count.")]
    findings = rolled["findings"]
    said = []
    anywhere = [f["name"] for f in findings if f["kind"] == "no-expert-anywhere"]
    if anywhere:
        said.append(
            ngettext(
                "%(num)d area has no expert anywhere in the network: %(areas)s.",
                "%(num)d areas have no expert anywhere in the network: %(areas)s.",
                len(anywhere),
                areas=_listed(anywhere),
            )
        )
    top: dict[str, list[str]] = {}
    narrower: set[str] = set()
    for f in findings:
        if f["kind"] == "no-expert-in-region":
            if f["depth"] == 0:
                top.setdefault(f["name"], []).append(word(f["region"], "region"))
            else:
                narrower.add(f["area"])
    for name, regions in top.items():
        said.append(_("%(area)s has no expert in %(regions)s.", area=name, regions=_listed(regions, 5, "or")))
    if narrower:
        if len(rolled["regions"]) == 1:
            said.append(
                ngettext(
                    "%(num)d narrower area has no expert in %(region)s where members hold them.",
                    "%(num)d narrower areas have no expert in %(region)s where members hold them.",
                    len(narrower),
                    region=word(rolled["regions"][0], "region"),
                )
            )
        else:
            said.append(
                ngettext(
                    "%(num)d narrower area has no expert in a region where members hold them.",
                    "%(num)d narrower areas have no expert in a region where members hold them.",
                    len(narrower),
                )
            )
    demand = [f["name"] for f in findings if f["kind"] == "demand-exceeds-supply" and f["region"] is None]
    in_regions = sum(1 for f in findings if f["kind"] == "demand-exceeds-supply" and f["region"])
    if demand:
        said.append(
            ngettext(
                "Learning demand exceeds expert supply in %(num)d area across the network: %(areas)s.",
                "Learning demand exceeds expert supply in %(num)d areas across the network: %(areas)s.",
                len(demand),
                areas=_listed(demand),
            )
        )
    if in_regions:
        said.append(
            ngettext(
                "Within single regions, learners outnumber experts in an area once.",
                "Within single regions, learners outnumber experts in an area %(num)d times.",
                in_regions,
            )
        )
    if not said:
        said.append(
            _("Every area held has an expert wherever it is held, and no more learners than experts.")
        )
    return said


def worded_area_coverage(rolled: Mapping[str, Any]) -> dict[str, Any]:
    """The area rollup as the API and ``graphapp taxonomy coverage --json`` give it: its findings each
    with their ``detail``, and ``said``: the summary in sentences. (The rollup is kept per graph
    revision and shared: it is copied, not changed.) In English, as :func:`worded_report`."""
    with force_locale("en"):
        return {
            **rolled,
            "findings": [{**f, "detail": area_finding_detail(f)} for f in rolled["findings"]],
            "said": area_coverage_summary(rolled),
        }
