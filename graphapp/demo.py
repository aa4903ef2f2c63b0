"""The demo network shipped with graphapp: real public organisations, topics and workstreams of machine
learning in official statistics, and 150 fictional members (``example.org`` addresses)."""

from __future__ import annotations

from graphapp.ingest.synthetic import Dataset, read_dataset, synthetic_dataset
from graphapp.resources import DEMO_DATA

DEMO_DIR = DEMO_DATA
DEMO_FILES = tuple(DEMO_DIR / f"{kind}.csv" for kind in ("organisations", "topics", "workstreams", "members"))

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
DEMO_SEED = 2021
DEMO_SIZE = 150


def demo_reference() -> Dataset:
    """The demo organisations, topics and workstreams, without members."""
    reference = read_dataset(DEMO_DIR)
    reference.members = []
    return reference


def demo_members() -> Dataset:
    """How ``members.csv`` of the demo was made (and is checked to be reproducible in the tests)."""
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
