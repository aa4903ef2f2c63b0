"""The "been there" suggestion mode's speed against the peers mode, in the same run, on each store.

    .venv/bin/python -m benchmarks.beenthere_speed [--members 100000] [--projects 5000] [--sample 200]
        [--stores ladybug,neo4j] [--writes 5]

The synthetic generator's N members (seed 0) go into each store, then ``--projects`` synthetic projects
(seed 2): each run by its first member's organisation, with one to four members, one to three topics
taken from its first member's interests, a stage drawn idea 35%, demonstration 35%, production 20%,
maintenance 10%, and the day each stage was reached between 2018 and 2026 (one project in five with its
days not known), written as project writes are (``tx.touched([])``: no member changed). Per store:

- for ``--sample`` members drawn with a fixed seed, ``suggest_peers`` in the mode ``peers`` and in the
  mode ``been-there``, one after the other for each member, with the interest index and the projects
  current: p50, p95 and max of each;
- after a project write (``--writes`` times: median and max): the first been-there suggestion, which
  reads the projects again (the interest index is kept: the write changed no member).

Figures, not assertions (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.suggest_speed import percentile, seconds
from devtools.neo4j_harness.throwaway import ThrowawayNeo4j
from graphapp.demo import synthetic
from graphapp.ingest import import_files
from graphapp.ingest.synthetic import write_dataset
from graphapp.queries.schema import CREATE_NODES, CREATE_RELS, NODES, STAGES, batches, create_schema
from graphapp.reports import interest_index, suggest_peers
from graphapp.store import LadybugStore, Neo4jStore, Store

RESULTS = Path(__file__).resolve().parent / "results"
STAGE_WEIGHTS = (35, 35, 20, 10)


def synthetic_projects(store: Store, n: int, seed: int = 2) -> dict[str, list[dict[str, Any]]]:
    """``n`` fictional projects on the members in ``store``, as rows of the schema's generic statements."""
    rng = random.Random(seed)
    index = store.read(interest_index)
    holders = [i for i in range(index.size) if index.degree[i]]
    empty = dict.fromkeys(NODES["Project"].properties, "")
    rows: dict[str, list[dict[str, Any]]] = {"Project": [], "WORKS_ON": [], "ON_TOPIC": [], "RUN_BY": []}
    for k in range(n):
        pid = f"bench-project-{k:05d}"
        first = rng.choice(holders)
        people = {first, *rng.sample(holders, rng.randint(0, 3))}
        topics = sorted(index.topics_of(first))
        stage = rng.choices(range(len(STAGES)), STAGE_WEIGHTS)[0]
        days: dict[str, str] = {}
        if rng.random() >= 0.2:
            year = rng.randint(2018, 2026 - stage)
            for s in range(stage + 1):
                days[STAGES[s]] = f"{year + s}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        rows["Project"].append({**empty, "id": pid, "title": f"Project {k}", "stage": STAGES[stage], **days})
        rows["WORKS_ON"] += [
            {"source": index.member_ids[i], "target": pid, "role": ""} for i in sorted(people)
        ]
        rows["ON_TOPIC"] += [
            {"source": pid, "target": t} for t in rng.sample(topics, min(len(topics), rng.randint(1, 3)))
        ]
        organisation = index.details(first)["organisation_id"]
        if organisation:
            rows["RUN_BY"].append({"source": pid, "target": organisation})
    return rows


def write_projects(store: Store, rows: dict[str, list[dict[str, Any]]]) -> None:
    """The projects in one write that declares it changed no member, as project writes do."""

    def write(tx: Any) -> None:
        for table, found in rows.items():
            statement = CREATE_NODES[table] if table in NODES else CREATE_RELS[table]
            for batch in batches(found):
                tx.run(statement, rows=batch)
        tx.touched([])

    store.write(write)


def time_store(open_store: Callable[[], Store], sample: list[str], writes: int) -> dict[str, Any]:
    with open_store() as store:
        store.read(suggest_peers, sample[-1], mode="peers")  # the index, plans and a connection
        store.read(suggest_peers, sample[-1], mode="been-there")  # the projects
        peers, been = [], []
        for me in sample:
            peers.append(seconds(lambda me=me: store.read(suggest_peers, me, mode="peers"))[0] * 1000)
            took, found = seconds(lambda me=me: store.read(suggest_peers, me, mode="been-there"))
            been.append(took * 1000)
        found_some = sum(
            1 for me in sample[:50] if store.read(suggest_peers, me, mode="been-there").suggestions
        )
        after_write = []
        for w in range(writes):
            one = {
                "Project": [
                    {
                        **dict.fromkeys(NODES["Project"].properties, ""),
                        "id": f"bench-extra-{w}",
                        "title": "extra",
                        "stage": "idea",
                    }
                ],
                "WORKS_ON": [{"source": sample[w % len(sample)], "target": f"bench-extra-{w}", "role": ""}],
            }
            write_projects(store, one)
            after_write.append(seconds(lambda: store.read(suggest_peers, sample[0], mode="been-there"))[0])
    return {
        "peers_p50_ms": round(statistics.median(peers), 1),
        "peers_p95_ms": round(percentile(peers, 95), 1),
        "peers_max_ms": round(max(peers), 1),
        "been_there_p50_ms": round(statistics.median(been), 1),
        "been_there_p95_ms": round(percentile(been, 95), 1),
        "been_there_max_ms": round(max(been), 1),
        "been_there_after_a_project_write_ms": round(statistics.median(after_write) * 1000, 1),
        "been_there_after_a_project_write_max_ms": round(max(after_write) * 1000, 1),
        "of_50_members_with_someone_ahead": found_some,
        "writes": writes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=5_000)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--writes", type=int, default=5)
    parser.add_argument("--stores", default="ladybug,neo4j")
    args = parser.parse_args()
    stores = args.stores.split(",")
    results: dict[str, Any] = {"members": args.members, "projects": args.projects, "sample": args.sample}
    with tempfile.TemporaryDirectory(prefix="graphapp-bench-") as tmp:
        files = write_dataset(synthetic(args.members, seed=0), Path(tmp) / "data")
        path = Path(tmp) / "bench.lbug"
        with LadybugStore(path) as ladybug:
            create_schema(ladybug)
            import_files(ladybug, files)
            projects = synthetic_projects(ladybug, args.projects)
            write_projects(ladybug, projects)
            ids = sorted(ladybug.read(interest_index).member_ids)
        sample = random.Random(1).sample(ids, args.sample)
        results["rows"] = {table: len(rows) for table, rows in projects.items()}
        if "ladybug" in stores:
            results["ladybug"] = time_store(lambda: LadybugStore(path), sample, args.writes)
            print("LadybugDB:", results["ladybug"], flush=True)
        if "neo4j" in stores:
            with ThrowawayNeo4j(heap="4g", pagecache_mb=1024) as server:
                uri = server.uri or ""
                with Neo4jStore(uri) as neo4j:
                    create_schema(neo4j)
                    import_files(neo4j, files)
                    write_projects(neo4j, projects)
                results["neo4j"] = time_store(lambda: Neo4jStore(uri), sample, args.writes)
                print("Neo4j:", results["neo4j"], flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "beenthere_speed.json").write_text(json.dumps(results, indent=1))
    print(
        f"\n| {args.members:,} members, {args.projects:,} projects | peers p50 / p95 / max ms "
        f"| been-there p50 / p95 / max ms | been-there after a project write ms (median / max of {args.writes}) |"
    )
    print("|---|---:|---:|---:|")
    for name, key in (("LadybugDB", "ladybug"), ("Neo4j", "neo4j")):
        if key in results:
            r = results[key]
            print(
                f"| {name} | {r['peers_p50_ms']} / {r['peers_p95_ms']} / {r['peers_max_ms']} "
                f"| {r['been_there_p50_ms']} / {r['been_there_p95_ms']} / {r['been_there_max_ms']} "
                f"| {r['been_there_after_a_project_write_ms']} / {r['been_there_after_a_project_write_max_ms']} |"
            )


if __name__ == "__main__":
    main()
