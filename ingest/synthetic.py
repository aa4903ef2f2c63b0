"""A seeded, deterministic generator of fictional members with a realistic skew.

Topic popularity and organisation size follow Zipf-like laws (a few busy topics and big offices, a long
tail of rare topics and one-person units); levels lean towards practising; contacts cluster within an
organisation and around shared topics. Every person is fictional, with an ``example.org`` address.

The output is rows in the import format (the same columns a coordinator's CSV has), so that synthetic
data goes through exactly the same validation and writes as real files.
"""

from __future__ import annotations

import csv
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Dataset", "read_dataset", "synthetic_dataset", "write_dataset"]

GIVEN = [
    "Ana",
    "Bram",
    "Carmen",
    "Dario",
    "Edda",
    "Femi",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Kaia",
    "Luca",
    "Mila",
    "Nils",
    "Olga",
    "Pavel",
    "Quinn",
    "Rosa",
    "Sami",
    "Tove",
    "Ugo",
    "Vera",
    "Wim",
    "Xenia",
    "Yara",
    "Zeno",
    "Aino",
    "Bruno",
    "Cleo",
    "Dag",
    "Elif",
    "Finn",
    "Gaia",
    "Hana",
    "Ivo",
    "Jana",
    "Kofi",
    "Lea",
    "Mats",
    "Nora",
    "Omar",
    "Pia",
    "Rui",
    "Sara",
    "Timo",
    "Uma",
    "Vilja",
    "Wen",
    "Yusuf",
    "Zofia",
]
FAMILY = [
    "Almquist",
    "Brenner",
    "Castellano",
    "Dufresne",
    "Eriksen",
    "Falk",
    "Gallo",
    "Hartwig",
    "Ilves",
    "Jansen",
    "Kowal",
    "Lindqvist",
    "Moreau",
    "Novak",
    "Okafor",
    "Petrov",
    "Quintana",
    "Rossi",
    "Santos",
    "Tanaka",
    "Ueda",
    "Vidal",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zoric",
    "Abara",
    "Bianchi",
    "Costa",
    "Dimitrov",
    "Esposito",
    "Ferreira",
    "Grahn",
    "Holm",
    "Ivanova",
    "Juhasz",
    "Kaplan",
    "Larsen",
    "Mendes",
    "Nilsen",
    "Ortega",
    "Pereira",
    "Rahman",
    "Silva",
    "Takahashi",
    "Urban",
    "Varga",
    "Wagner",
    "Yamada",
    "Zielinski",
]
TITLES = (
    "Head of Data Science",
    "Data Science Unit Lead",
    "Chief Data Scientist",
    "Head of Methodology and Innovation",
    "Lead, Machine Learning Hub",
    "Director, Data Science Campus",
    "Head of Statistical Innovation",
    "Principal Data Scientist",
)
METHODS = (
    "text classification",
    "anomaly detection",
    "imputation models",
    "image segmentation",
    "entity matching",
    "nowcasting models",
    "clustering",
    "forecasting",
    "active learning",
    "transfer learning",
    "gradient boosting",
    "graph analytics",
    "topic modelling",
    "named entity recognition",
    "change detection",
    "automated editing",
    "weak supervision",
    "uncertainty estimation",
    "sampling design",
    "data fusion",
)
DOMAINS = (
    "labour market",
    "consumer prices",
    "trade",
    "agriculture",
    "tourism",
    "health",
    "energy",
    "population",
    "business register",
    "national accounts",
    "education",
    "transport",
    "housing",
    "environment",
    "crime and justice",
    "public finance",
    "migration",
    "enterprise surveys",
    "census",
    "land use",
)
SOURCES = ("survey data", "administrative data", "web data", "sensor data", "scanner data")
LEVEL_WEIGHTS = (("learning", 0.3), ("practising", 0.5), ("expert", 0.2))


@dataclass
class Dataset:
    """Rows per kind, in the import format: ``{"organisations": [...], "topics": [...], ...}``."""

    organisations: list[dict[str, str]]
    topics: list[dict[str, str]]
    workstreams: list[dict[str, str]]
    members: list[dict[str, str]]

    def as_dict(self) -> dict[str, list[dict[str, str]]]:
        return {
            "organisations": self.organisations,
            "topics": self.topics,
            "workstreams": self.workstreams,
            "members": self.members,
        }


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_dataset(directory: str | Path) -> Dataset:
    """Read ``organisations.csv``, ``topics.csv``, ``workstreams.csv`` and ``members.csv`` if present."""
    directory = Path(directory)
    rows = {
        kind: _read_csv(directory / f"{kind}.csv") if (directory / f"{kind}.csv").exists() else []
        for kind in ("organisations", "topics", "workstreams", "members")
    }
    return Dataset(**rows)


def _zipf_weights(n: int, exponent: float, rng: random.Random, first: Sequence[int] = ()) -> list[float]:
    """Zipf weights for n items in a random order of popularity, except that the items at the positions in
    ``first`` take the top ranks, in that order."""
    rest = list(range(len(first) + 1, n + 1))
    rng.shuffle(rest)
    ranks = iter(rest)
    by_position = {position: rank for rank, position in enumerate(first, start=1)}
    return [1.0 / (by_position.get(i) or next(ranks)) ** exponent for i in range(n)]


def _weighted_sample(
    rng: random.Random, items: Sequence[str], cum_weights: Sequence[float], k: int
) -> list[str]:
    """k distinct items, each drawn with probability proportional to its weight (draw, then drop repeats)."""
    chosen: dict[str, None] = {}
    for _ in range(100):
        for item in rng.choices(items, cum_weights=cum_weights, k=2 * (k - len(chosen))):
            chosen.setdefault(item)
            if len(chosen) == k:
                return list(chosen)
    return list(chosen)  # fewer topics with weight than k


def synthetic_dataset(
    reference: Dataset,
    n_members: int,
    seed: int = 0,
    *,
    n_topics: int | None = None,
    mean_interests: float = 8.0,
    mean_contacts: float = 3.0,
    topic_skew: float = 1.0,
    organisation_skew: float = 1.1,
    popular_topics: Sequence[str] = (),
    unheld_topics: Sequence[str] = (),
    leaderless_workstreams: Sequence[str] = (),
) -> Dataset:
    """Fictional members on the reference organisations, topics and workstreams, grown to scale.

    Beyond the reference topics, topics are method-domain pairs ("anomaly detection for trade"), up to
    ``n_topics`` (default: grows with the square root of the membership). Beyond the demo's
    organisations, every other country gets a fictional "National Statistical Office of ..." as needed.
    ``topic_skew`` and ``organisation_skew`` are the Zipf exponents (0 is uniform). ``popular_topics`` (topic ids) are the most popular, in that order (the rest are in random order).
    ``unheld_topics`` (topic ids) are held by nobody and ``leaderless_workstreams`` get no lead, to leave
    deliberate gaps.

    >>> ref = Dataset(
    ...     organisations=[{"id": "ons", "name": "Office for National Statistics", "kind": "NSO",
    ...                     "country": "GBR", "aliases": "ONS"}],
    ...     topics=[{"id": "record-linkage", "name": "record linkage", "aliases": ""}],
    ...     workstreams=[{"id": "WS1", "name": "ML studies", "description": "", "covers": ""}],
    ...     members=[])
    >>> a = synthetic_dataset(ref, 50, seed=7)
    >>> a == synthetic_dataset(ref, 50, seed=7), len(a.members), a.members[0]["email"].endswith("@example.org")
    (True, 50, True)
    """
    import pycountry

    rng = random.Random(seed)
    base = reference
    if n_topics is None:
        n_topics = max(len(base.topics), int(5 * n_members**0.5))
    topics = list(base.topics)
    names = itertools.chain(
        (f"{method} for {domain}" for method, domain in itertools.product(METHODS, DOMAINS)),
        (f"{m} for {d} from {s}" for m, d, s in itertools.product(METHODS, DOMAINS, SOURCES)),
    )
    for name in itertools.islice(names, max(0, n_topics - len(topics))):
        topics.append({"id": "", "name": name, "aliases": ""})

    n_orgs = max(len(base.organisations), n_members // 25)
    organisations = list(base.organisations)
    taken = {o["country"] for o in organisations}
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_3):
        if len(organisations) >= n_orgs:
            break
        if country.alpha_3 in taken:
            continue
        organisations.append(
            {
                "id": "",
                "name": f"National Statistical Office of {getattr(country, 'common_name', country.name)}",
                "kind": "NSO",
                "country": country.alpha_3,
                "aliases": "",
            }
        )
    topic_names = [t["name"] for t in topics]
    position = {t["id"]: i for i, t in enumerate(topics) if t["id"]}
    topic_weights = _zipf_weights(len(topics), topic_skew, rng, [position[t] for t in popular_topics])
    unheld = set(unheld_topics)
    topic_weights = [0.0 if t["id"] in unheld else w for t, w in zip(topics, topic_weights, strict=True)]
    topic_cum = list(itertools.accumulate(topic_weights))
    held_topics = sum(1 for w in topic_weights if w > 0)
    org_weights = _zipf_weights(len(organisations), organisation_skew, rng)
    org_cum = list(itertools.accumulate(org_weights))
    org_names = [o["name"] for o in organisations]
    workstream_ids = [w["id"] for w in base.workstreams]

    members: list[dict[str, str]] = []
    emails_by_org: dict[str, list[str]] = {}
    used_emails: set[str] = set()
    for i in range(n_members):
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        email = f"{given}.{family}@example.org".lower()
        if email in used_emails:
            email = f"{given}.{family}.{i}@example.org".lower()
        used_emails.add(email)
        org = rng.choices(org_names, cum_weights=org_cum)[0]
        k = max(1, min(held_topics, round(rng.gauss(mean_interests, mean_interests / 3))))
        chosen = _weighted_sample(rng, topic_names, topic_cum, k)
        levels = rng.choices(
            [lv for lv, _ in LEVEL_WEIGHTS], weights=[w for _, w in LEVEL_WEIGHTS], k=len(chosen)
        )
        n_ws = min(len(workstream_ids), 1 if rng.random() < 0.7 else 2)
        workstreams = rng.sample(workstream_ids, n_ws)
        members.append(
            {
                "name": f"{given} {family}",
                "email": email,
                "organisation": org,
                "country": "",
                "title": rng.choice(TITLES),
                "topics": "; ".join(f"{t}:{lv}" for t, lv in zip(chosen, levels, strict=True)),
                "workstreams": "; ".join(workstreams),
                "knows": "",
            }
        )
        emails_by_org.setdefault(org, []).append(email)

    # One lead per workstream, except those meant to have none.
    for ws in workstream_ids:
        if ws in leaderless_workstreams:
            continue
        holders = [m for m in members if ws in m["workstreams"].split("; ")]
        if holders:
            lead = rng.choice(holders)
            lead["workstreams"] = "; ".join(
                f"{w}:lead" if w == ws else w for w in lead["workstreams"].split("; ")
            )

    # Contacts: mostly colleagues, some people met through the network; listed once per pair.
    all_emails = [m["email"] for m in members]
    pairs: set[tuple[str, str]] = set()
    for m in members:
        n = min(len(all_emails) - 1, int(rng.expovariate(1.0 / mean_contacts)))
        colleagues = emails_by_org[m["organisation"]]
        for _ in range(n):
            pool = colleagues if len(colleagues) > 1 and rng.random() < 0.5 else all_emails
            other = rng.choice(pool)
            if other != m["email"]:
                pairs.add((min(m["email"], other), max(m["email"], other)))
    contacts: dict[str, list[str]] = {}
    for a, b in sorted(pairs):
        contacts.setdefault(a, []).append(b)
    for m in members:
        m["knows"] = "; ".join(contacts.get(m["email"], []))
    return Dataset(organisations, topics, base.workstreams, members)


def write_dataset(dataset: Dataset, directory: str | Path) -> list[Path]:
    """Write one CSV per kind into ``directory``; return the paths, in import order."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind, rows in dataset.as_dict().items():
        if not rows:
            continue
        path = directory / f"{kind}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        paths.append(path)
    return paths
