"""Coverage rolled up by competence area and region (issue 14 §3): for each area of the taxonomy, at every
level of its hierarchy, how many members hold its topics at each level, in each UN M49 region and across
the network, and where that is thin.

A topic counts toward every area it is placed in and every broader area above those. A member counts once
per area, at the highest level at which they hold any of its topics: an expert in record linkage who is
learning data governance, both in Data Management, is one of its experts (the knowledge is there to ask
for), and the three numbers of an area add up to the members who hold it. Every member counts, lapsed or
not suggested ones too: they hold the knowledge whether or not they are suggested. Retired topics count
for nothing.

Findings, per area:

- ``no-expert-anywhere``: nobody in the network holds any of its topics as an expert (areas in which no
  topic is placed are left out: there is nothing a member could hold);
- ``no-expert-in-region``: members in the region hold it (practising or learning) but none as an expert;
- ``demand-exceeds-supply``: more members learning it than expert in it, in a region or (``region``
  None) across the network.

Pure: the interest index (:class:`~graphapp.analytics.interest_index.InterestIndex`) and the taxonomy's
rows in, plain data out; the words are :mod:`graphapp.wording`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from graphapp.analytics.interest_index import InterestIndex
from graphapp.queries.schema import LEVEL_BASE, LEVELS

__all__ = ["FINDINGS", "SHOWN_LEVELS", "in_region", "roll_up"]

#: The kinds of finding, in the order a page lists them.
FINDINGS = ("no-expert-anywhere", "no-expert-in-region", "demand-exceeds-supply")
#: The levels as pages show them: expert first.
SHOWN_LEVELS = tuple(reversed(LEVELS))


def _ancestors(areas: Sequence[str], broader: Mapping[str, str]) -> dict[str, list[str]]:
    """Each area with every broader area above it (itself first); a chain that comes back is cut."""
    known = set(areas)
    out = {}
    for a in areas:
        chain, at = [a], broader.get(a, "")
        while at in known and at not in chain:
            chain.append(at)
            at = broader.get(at, "")
        out[a] = chain
    return out


def _counts(n: Mapping[str, int]) -> dict[str, int]:
    """Expert, practising, learning, and the members in all (the three add up to it)."""
    shown = {level: int(n.get(level, 0)) for level in SHOWN_LEVELS}
    return {**shown, "members": sum(shown.values())}


def roll_up(
    ix: InterestIndex,
    areas: Sequence[Mapping[str, Any]],
    broader: Mapping[str, str],
    places: Iterable[tuple[str, str]],
    regions: Sequence[str],
    retired: Iterable[str] = (),
) -> dict[str, Any]:
    """The members holding each area's topics at each level, per region and in all, with the findings.

    Parameters
    ----------
    ix : InterestIndex
        Who holds which topic at which level, and each member's region.
    areas : sequence of mapping
        The areas (``id``, ``name``), in the order pages list them.
    broader : mapping
        Each narrower area's broader area, by id.
    places : iterable of (topic id, area id)
        Where each topic is placed.
    regions : sequence of str
        The regions to count in (the UN M49 regions); members elsewhere or nowhere count only in all.
    retired : iterable of str
        Topics that count for nothing.

    Returns
    -------
    dict
        ``regions``, ``levels`` (expert first), ``areas`` (the top areas as a tree, in the order given:
        ``id``, ``name``, ``depth`` (0 for a top area), ``topics`` (how many topics it holds, its narrower
        areas' included), ``network`` and ``regions`` (each region's): ``expert``, ``practising``,
        ``learning`` and ``members``; ``findings`` and ``narrower``), ``findings`` (every finding, tree
        order: ``kind``, ``area``, ``name``, ``depth``, ``region`` or None, ``numbers``) and ``summary``
        (``areas``, and how many findings of each kind; ``demand-exceeds-supply`` network-wide, and
        ``demand-in-regions``).

    Examples
    --------
    >>> ix = InterestIndex.of(
    ...     {"a": {"linkage": "expert", "governance": "learning"}, "b": {"governance": "learning"},
    ...      "c": {"governance": "practising"}},
    ...     regions={"a": "Europe", "b": "Africa", "c": "Africa"})
    >>> r = roll_up(ix, [{"id": "dm", "name": "Data Management"}, {"id": "dm1", "name": "Integration"},
    ...                  {"id": "dm2", "name": "Governance"}], {"dm1": "dm", "dm2": "dm"},
    ...             [("linkage", "dm1"), ("governance", "dm2")], ["Africa", "Europe"])
    >>> dm = r["areas"][0]
    >>> dm["network"], dm["regions"]["Africa"]  # a counts once in dm: as an expert
    ({'expert': 1, 'practising': 1, 'learning': 1, 'members': 3}, {'expert': 0, 'practising': 1, 'learning': 1, 'members': 2})
    >>> [(f["kind"], f["region"]) for f in dm["findings"]]
    [('no-expert-in-region', 'Africa'), ('demand-exceeds-supply', 'Africa')]
    >>> [(f["kind"], f["region"]) for f in dm["narrower"][1]["findings"]]  # governance: a only learns it
    [('no-expert-anywhere', None), ('no-expert-in-region', 'Africa'), ('no-expert-in-region', 'Europe'), ('demand-exceeds-supply', None), ('demand-exceeds-supply', 'Africa'), ('demand-exceeds-supply', 'Europe')]
    """
    ids = [str(a["id"]) for a in areas]
    number = {a: i for i, a in enumerate(ids)}
    up = _ancestors(ids, broader)
    gone = set(retired)
    # Each topic's areas, broader ones included, once each.
    topic_areas: dict[int, set[int]] = {}
    topics_in: list[set[int]] = [set() for _ in ids]
    for topic, placed in places:
        t = ix.topic.get(topic)
        if t is None or topic in gone or placed not in number:
            continue
        for above in up[placed]:
            topic_areas.setdefault(t, set()).add(number[above])
            topics_in[number[above]].add(t)

    n, n_regions, n_levels = ix.size, len(regions), len(LEVELS)
    ptr, holders, levels = ix.by_topic.ptr, ix.by_topic.cols, ix.by_topic.levels
    keys, codes = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for t, owners in topic_areas.items():
        start, end = int(ptr[t]), int(ptr[t + 1])
        if end > start:
            held_by, level = holders[start:end].astype(np.int64), levels[start:end].astype(np.int64)
            for owner in owners:
                keys.append((owner * max(n, 1) + held_by) * LEVEL_BASE + level)
    packed = np.sort(np.concatenate(keys))
    # Each (area, member) once, at their highest level: the last of its run once sorted.
    pair = packed // LEVEL_BASE
    last = np.ones(len(pair), bool)
    last[:-1] = pair[1:] != pair[:-1]
    pair, best = pair[last], packed[last] % LEVEL_BASE
    area_no, member_no = pair // max(n, 1), pair % max(n, 1)
    # The index's region codes, as places among ``regions`` (n_regions: elsewhere or none).
    place = np.array([regions.index(r) if r in regions else n_regions for r in ix.regions] + [n_regions])
    region = place[ix.region[member_no]] if len(member_no) else np.zeros(0, np.int64)  # (-1: the last)
    codes.append((area_no * (n_regions + 1) + region) * n_levels + best)
    counted = np.bincount(np.concatenate(codes), minlength=len(ids) * (n_regions + 1) * n_levels)
    table = counted.reshape(len(ids), n_regions + 1, n_levels)

    nodes: dict[str, dict[str, Any]] = {}
    for i, row in enumerate(areas):
        by_region = {
            r: _counts(dict(zip(LEVELS, table[i, k].tolist(), strict=True))) for k, r in enumerate(regions)
        }
        nodes[ids[i]] = {
            "id": ids[i],
            "name": str(row.get("name") or ids[i]),
            "depth": len(up[ids[i]]) - 1,
            "topics": len(topics_in[i]),
            "network": _counts(dict(zip(LEVELS, table[i].sum(axis=0).tolist(), strict=True))),
            "regions": by_region,
            "findings": [],
            "narrower": [],
        }
    top: list[dict[str, Any]] = []
    for a in ids:
        parent = nodes.get(broader.get(a, "")) if len(up[a]) > 1 else None
        (parent["narrower"] if parent else top).append(nodes[a])

    findings: list[dict[str, Any]] = []

    def walk(node: dict[str, Any]) -> None:
        for finding in _findings(node, regions):
            node["findings"].append(finding)
            findings.append(finding)
        for narrower in node["narrower"]:
            walk(narrower)

    for node in top:
        walk(node)
    summary: dict[str, int] = {"areas": len(ids), **dict.fromkeys(FINDINGS, 0), "demand-in-regions": 0}
    for f in findings:
        if f["kind"] == "demand-exceeds-supply" and f["region"] is not None:
            summary["demand-in-regions"] += 1
        else:
            summary[f["kind"]] += 1
    return {
        "regions": list(regions),
        "levels": list(SHOWN_LEVELS),
        "areas": top,
        "findings": findings,
        "summary": summary,
    }


def _findings(node: Mapping[str, Any], regions: Sequence[str]) -> list[dict[str, Any]]:
    """An area's findings: network-wide first, then region by region."""

    def finding(kind: str, region: str | None, numbers: Mapping[str, int]) -> dict[str, Any]:
        return {
            "kind": kind,
            "area": node["id"],
            "name": node["name"],
            "depth": node["depth"],
            "region": region,
            "numbers": dict(numbers),
        }

    out = []
    net = node["network"]
    if node["topics"] and not net["expert"]:
        out.append(finding("no-expert-anywhere", None, net))
    for r in regions:
        cell = node["regions"][r]
        if cell["members"] and not cell["expert"]:
            out.append(finding("no-expert-in-region", r, cell))
    if net["learning"] > net["expert"]:
        out.append(finding("demand-exceeds-supply", None, net))
    for r in regions:
        cell = node["regions"][r]
        if cell["learning"] > cell["expert"]:
            out.append(finding("demand-exceeds-supply", r, cell))
    return out


def in_region(rolled: Mapping[str, Any], region: str) -> dict[str, Any]:
    """The rollup of :func:`roll_up` with one region's column only (beside the network's), and only the
    findings about that region and the areas nobody anywhere is expert in; the summary counted again. A
    new value: the one given (kept per graph revision) is left as it is.

    Examples
    --------
    >>> ix = InterestIndex.of({"a": {"x": "learning"}, "b": {"x": "expert"}}, regions={"a": "Asia", "b": "Europe"})
    >>> r = in_region(roll_up(ix, [{"id": "ar", "name": "Area"}], {}, [("x", "ar")], ["Asia", "Europe"]), "Asia")
    >>> r["regions"], list(r["areas"][0]["regions"]), [(f["kind"], f["region"]) for f in r["findings"]]
    (['Asia'], ['Asia'], [('no-expert-in-region', 'Asia'), ('demand-exceeds-supply', 'Asia')])
    """
    findings: list[dict[str, Any]] = []

    def keep(f: Mapping[str, Any]) -> bool:
        return bool(f["region"] == region or f["kind"] == "no-expert-anywhere")

    def node(n: Mapping[str, Any]) -> dict[str, Any]:
        mine = [f for f in n["findings"] if keep(f)]
        findings.extend(mine)
        out = {**n, "regions": {region: n["regions"][region]}, "findings": mine, "narrower": []}
        out["narrower"] = [node(m) for m in n["narrower"]]
        return out

    areas = [node(n) for n in rolled["areas"]]
    summary = {"areas": rolled["summary"]["areas"], **dict.fromkeys(FINDINGS, 0), "demand-in-regions": 0}
    for f in findings:
        summary["demand-in-regions" if f["kind"] == "demand-exceeds-supply" else f["kind"]] += 1
    return {**rolled, "regions": [region], "areas": areas, "findings": findings, "summary": summary}
