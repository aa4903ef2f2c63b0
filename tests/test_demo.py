"""The shipped demo data and the synthetic generator."""

from __future__ import annotations

import csv
import statistics
from collections import Counter

from graphapp.demo import (
    DEMO_DIR,
    LEADERLESS_WORKSTREAMS,
    UNHELD_TOPICS,
    demo_members,
    demo_reference,
    synthetic,
)


def test_demo_members_file_is_what_the_seeded_generator_makes() -> None:
    with (DEMO_DIR / "members.csv").open(newline="", encoding="utf-8") as f:
        shipped = list(csv.DictReader(f))
    assert shipped == demo_members().members


def test_demo_people_are_plainly_fictional() -> None:
    members = demo_members().members
    assert len(members) == 150
    assert all(m["email"].endswith("@example.org") for m in members)
    assert all(k.endswith("@example.org") for m in members for k in m["knows"].split("; ") if k)


def test_demo_has_busy_topics_rare_topics_and_gaps() -> None:
    members = demo_members().members
    held = Counter(t.split(":")[0] for m in members for t in m["topics"].split("; "))
    by_id = {t["name"]: t["id"] for t in demo_reference().topics}
    assert not {by_id[name] for name in held} & set(UNHELD_TOPICS)
    assert held.most_common(1)[0][1] >= 40  # a busy topic
    assert min(held.values()) <= 8  # rare ones
    leads = {w.split(":")[0] for m in members for w in m["workstreams"].split("; ") if w.endswith(":lead")}
    assert leads == {"WS1", "WS2", "WS5", "WS6", "WS7"} and not leads & set(LEADERLESS_WORKSTREAMS)


def test_synthetic_is_deterministic_and_skewed() -> None:
    a, b = synthetic(2000, seed=11), synthetic(2000, seed=11)
    assert a == b and synthetic(2000, seed=12) != a
    interests = [len(m["topics"].split("; ")) for m in a.members]
    assert 7 <= statistics.mean(interests) <= 9  # ~8 interests each: 10k members ~ 80k edges
    holders = Counter(t.split(":")[0] for m in a.members for t in m["topics"].split("; "))
    counts = sorted(holders.values(), reverse=True)
    assert counts[0] > 10 * statistics.median(counts)  # popular topics and a long tail
    orgs = Counter(m["organisation"] for m in a.members)
    assert orgs.most_common(1)[0][1] > 10 * statistics.median(orgs.values())
    levels = Counter(t.split(":")[1] for m in a.members for t in m["topics"].split("; "))
    assert levels["practising"] > levels["learning"] > levels["expert"]
