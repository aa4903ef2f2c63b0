"""Reading the query string the same way for pages and the API: every value checked against what it may
be, and a :class:`BadRequest` saying which parameter is wrong and why."""

from __future__ import annotations

from collections.abc import Mapping

from graphapp.analytics.suggestions import MODES
from graphapp.contactmap import VIEW_KINDS, View
from graphapp.queries.coverage import M49_REGIONS
from graphapp.queries.members import MemberFilter
from graphapp.queries.schema import LEVELS
from graphapp.queries.subgraph import AGGREGATES

__all__ = ["BadRequest", "member_filter", "one_of", "page_args", "view_args", "whole_number"]

FILTER_FIELDS = ("q", "topic", "level", "workstream", "organisation", "country", "region")
MAX_PER_PAGE = 100


class BadRequest(ValueError):
    """A request parameter that cannot be used, with the reason in words (shown to the user, status 400)."""


def whole_number(args: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}, not {value}")
    return value


def one_of(args: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str = "") -> str:
    value = (args.get(name) or "").strip()
    if not value:
        return default
    if value not in allowed:
        raise BadRequest(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _short(args: Mapping[str, str], name: str, limit: int = 200) -> str:
    value = (args.get(name) or "").strip()
    if len(value) > limit:
        raise BadRequest(f"{name} is too long ({len(value)} characters; at most {limit})")
    return value


def member_filter(args: Mapping[str, str]) -> MemberFilter:
    """The directory's filters: ``q`` (part of a name), ``topic``, ``level``, ``workstream``,
    ``organisation`` (ids), ``country`` (ISO alpha-3) and ``region`` (UN M49)."""
    return MemberFilter(
        q=_short(args, "q"),
        topic=_short(args, "topic"),
        level=one_of(args, "level", LEVELS),
        workstream=_short(args, "workstream"),
        organisation=_short(args, "organisation"),
        country=_short(args, "country").upper(),
        region=one_of(args, "region", M49_REGIONS),
    )


def page_args(args: Mapping[str, str], per_page: int = 25) -> tuple[int, int]:
    """``page`` (from 1) and ``per_page`` (at most 100)."""
    return (
        whole_number(args, "page", 1, 1, 1_000_000),
        whole_number(args, "per_page", per_page, 1, MAX_PER_PAGE),
    )


def view_args(args: Mapping[str, str]) -> View:
    """Which part of the network: ``kind`` (network, topic, workstream, organisation, country, region,
    member), ``value`` (its id), ``depth`` (1 or 2, for a member) and ``aggregate`` (organisation, topic)."""
    kind = one_of(args, "kind", VIEW_KINDS, "network")
    value = _short(args, "value")
    if kind == "country":
        value = value.upper()
    try:
        return View(
            kind=kind,
            value=value if kind != "network" else "",
            depth=whole_number(args, "depth", 1, 1, 2),
            aggregate=one_of(args, "aggregate", AGGREGATES),
        )
    except ValueError as e:
        raise BadRequest(str(e)) from None


def mode_arg(args: Mapping[str, str]) -> str:
    return one_of(args, "mode", MODES, "all")
