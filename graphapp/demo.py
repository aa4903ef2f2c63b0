"""The demo network shipped with graphapp: real public organisations, topics and workstreams of machine
learning in official statistics, the group's real themes and journey (which theme each workstream serves),
real public resources (titles and links only), and 150 fictional members (``example.org`` addresses) with
26 fictional projects.

The themes, the workstreams' public names and what each serves come from the group's public page
(statswiki.unece.org, pageId 295634525, "Machine learning Group 2021": the journey table; and 295635329
for Workstream 8). That page names no Workstream 3, so the demo has none: a later page of the group
(295635339) numbers its work streams differently ("WS3 - Data Ethics and Governance", where the journey
table has Workstream 6), and mixing the two numberings would invent a workstream.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from graphapp.ingest.synthetic import Dataset, read_dataset, synthetic_dataset
from graphapp.resources import DEMO_DATA

DEMO_DIR = DEMO_DATA
#: In import order (a file names only what the files before it, or itself, define): tests import the first
#: few to get organisations, themes, topics and workstreams without members.
DEMO_KINDS = ("organisations", "themes", "topics", "workstreams", "members", "projects", "resources")
DEMO_FILES = tuple(DEMO_DIR / f"{kind}.csv" for kind in DEMO_KINDS)
#: The demo without its projects and resources: for tests that make their own and count them.
DEMO_NETWORK_FILES = tuple(f for f in DEMO_FILES if f.stem not in ("projects", "resources"))

#: The gaps the demo leaves on purpose, so that the coverage report has something to show.
UNHELD_TOPICS = ("reinforcement-learning", "federated-learning")
#: The topics most members work on, most popular first (the rest follow in a seeded random order).
POPULAR_TOPICS = (
    "classification-and-coding",
    "natural-language-processing",
    "imagery-and-satellite-data",
    "web-scraped-data",
    "edit-and-imputation",
    "record-linkage",
    "large-language-models",
    "skills-and-training",
)
LEADERLESS_WORKSTREAMS = ("WS4",)
#: The workstreams the demo's members are generated on: those the demo had before Workstream 8 joined it
#: (with the themes), so that adding a workstream does not change who the members are.
MEMBER_WORKSTREAMS = ("WS1", "WS2", "WS4", "WS5", "WS6", "WS7")
DEMO_SEED = 2021
DEMO_SIZE = 150
#: The demo's members joined between these days, more of them each year (so the growth charts show growth).
DEMO_JOINED = (date(2021, 3, 1), date(2025, 9, 30))


def demo_reference() -> Dataset:
    """The demo organisations, topics and workstreams (those of :data:`MEMBER_WORKSTREAMS`), without
    members, and without the columns that name themes (``graphapp synthetic`` writes no themes file)."""
    reference = read_dataset(DEMO_DIR)
    reference.members = []
    reference.topics = [{k: v for k, v in t.items() if k != "themes"} for t in reference.topics]
    reference.workstreams = [
        {k: v for k, v in w.items() if k != "serves"}
        for w in reference.workstreams
        if w["id"] in MEMBER_WORKSTREAMS
    ]
    return reference


def demo_members() -> Dataset:
    """How ``members.csv`` of the demo was made (and is checked to be reproducible in the tests)."""
    dataset = _demo_members()
    rng = random.Random(DEMO_SEED)
    first, last = DEMO_JOINED
    days = (last - first).days
    # the square root of a uniform draw: the network grows faster as it becomes known
    for m in dataset.members:
        m["joined"] = (first + timedelta(days=round(days * rng.random() ** 0.5))).isoformat()
    return dataset


def _demo_members() -> Dataset:
    return synthetic_dataset(
        demo_reference(),
        DEMO_SIZE,
        seed=DEMO_SEED,
        n_topics=len(demo_reference().topics),
        mean_interests=4,
        mean_contacts=2,
        topic_skew=0.9,
        organisation_skew=0.6,
        popular_topics=POPULAR_TOPICS,
        unheld_topics=UNHELD_TOPICS,
        leaderless_workstreams=LEADERLESS_WORKSTREAMS,
    )


def synthetic(n_members: int, seed: int = 0) -> Dataset:
    """N synthetic members on top of the demo reference data, for tests and benchmarks."""
    return synthetic_dataset(demo_reference(), n_members, seed=seed)
