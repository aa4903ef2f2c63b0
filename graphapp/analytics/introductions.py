"""How introductions fare, by where they were asked from: the measure of whether suggestions work for
real people (see docs/suggestions.md)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["introduction_stats"]


def introduction_stats(
    counts: Mapping[str, Mapping[str, int]], kinds: Iterable[str]
) -> list[dict[str, int | float | str | None]]:
    """Per kind of introduction: how many were asked for, accepted, declined and are waiting, and the
    share accepted of those answered.

    Parameters
    ----------
    counts : mapping
        ``{kind: {status: n}}`` with the statuses asked (waiting), accepted, declined.
    kinds : iterable of str
        The kinds to list, in order (a kind with no introductions is listed with zeros); then a row
        ``all``.

    Returns
    -------
    list of dict
        ``kind``, ``asked`` (every request), ``accepted``, ``declined``, ``waiting``, and
        ``share_accepted``: accepted / (accepted + declined), None while none is answered.

    Examples
    --------
    >>> rows = introduction_stats({"peer": {"accepted": 3, "declined": 1, "asked": 2}}, ["peer", "mentor"])
    >>> [(r["kind"], r["asked"], r["share_accepted"]) for r in rows]
    [('peer', 6, 0.75), ('mentor', 0, None), ('all', 6, 0.75)]
    """
    rows: list[dict[str, int | float | str | None]] = []
    total = {"accepted": 0, "declined": 0, "waiting": 0}
    for kind in [*kinds, "all"]:
        if kind == "all":
            numbers = total
        else:
            found = counts.get(kind, {})
            numbers = {
                "accepted": found.get("accepted", 0),
                "declined": found.get("declined", 0),
                "waiting": found.get("asked", 0),
            }
            for key in total:
                total[key] += numbers[key]
        answered = numbers["accepted"] + numbers["declined"]
        rows.append(
            {
                "kind": kind,
                "asked": answered + numbers["waiting"],
                **numbers,
                "share_accepted": round(numbers["accepted"] / answered, 4) if answered else None,
            }
        )
    return rows
