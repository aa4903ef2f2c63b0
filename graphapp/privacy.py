"""Each member's choices, applied to everything that leaves graphapp for a viewer: a field the viewer may
not see is removed (absent, not hidden in the markup), in pages, API answers and exports alike."""

from __future__ import annotations

from typing import Any

from graphapp.auth import Viewer

__all__ = ["redact_graph", "redact_people", "redact_person"]

CONSENT_FIELDS = ("email_visibility", "suggestible", "introductions")


def redact_person(person: dict[str, Any], viewer: Viewer) -> dict[str, Any]:
    """A member (as queries give them: ``id``, ``email``, ``email_visibility``...) as ``viewer`` may see
    them: the email only where the member allows it (or the two were introduced: the viewer's
    ``partners``), their consent settings only to themselves and to coordinators."""
    out = dict(person)
    if not viewer.sees_email_of(out["id"], out.get("email_visibility")):
        out.pop("email", None)
    if not (viewer.member == out["id"] or viewer.at_least("coordinator")):
        for field in CONSENT_FIELDS:
            out.pop(field, None)
    return out


def redact_people(people: list[dict[str, Any]], viewer: Viewer) -> list[dict[str, Any]]:
    return [redact_person(p, viewer) for p in people]


def redact_graph(graph: dict[str, Any], viewer: Viewer) -> dict[str, Any]:
    """A subgraph (nodes and relationships) with each Member node's properties redacted."""
    nodes = [
        {**n, "properties": redact_person(n["properties"], viewer)} if n["label"] == "Member" else n
        for n in graph["nodes"]
    ]
    return {**graph, "nodes": nodes}
