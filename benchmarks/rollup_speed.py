"""Coverage by competence area and region at scale, beside the coverage report, on each store.

    .venv/bin/python -m benchmarks.rollup_speed [--members 100000] [--writes 5] [--neo4j]

The synthetic generator's N members (seed 0; at 100,000 about 800,000 interest edges over some 1,600
topics) go into the store, with the shipped EDSF-derived taxonomy's 35 areas and every topic placed in
one of its 30 competences, in turn (the shipped file places only the demo's 32 topics, which would leave
most interests out of the count).
Timed (median and max over ``--writes``):

- ``roll_up``: the computation alone, over the interest index (:func:`graphapp.analytics.rollup.roll_up`);
- ``after a member's edit``: the rollup as `/coverage/areas` first makes it after a write that changed one
  member and said so (the index patched, the taxonomy read, the rollup made);
- ``after a write that declared nothing``: the same when the write did not say what it changed (the index
  built anew), and beside it the coverage report in the same situation (for comparison);
- ``kept``: a second view (kept per graph revision); ``after a write that changed no member``: the
  taxonomy read again to check nothing it depends on moved, the rollup kept.

Figures, not assertions.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from devtools.neo4j_harness.throwaway import ThrowawayNeo4j
from graphapp.analytics.rollup import roll_up
from graphapp.demo import synthetic
from graphapp.ingest import import_files
from graphapp.ingest.synthetic import write_dataset
from graphapp.queries import taxonomy as taxonomy_rows
from graphapp.queries.coverage import M49_REGIONS
from graphapp.queries.cypher import Tx
from graphapp.queries.schema import create_schema
from graphapp.queries.vocabulary import retired_topics
from graphapp.reports import area_coverage, coverage_report, interest_index
from graphapp.store import LadybugStore, Neo4jStore, Store
from graphapp.taxonomy import EDSF_FILE, import_taxonomy

RESULTS = Path(__file__).resolve().parent / "results"
TOUCH = "MATCH (m:Member {id: $id}) SET m.suggestible = m.suggestible"


def seconds(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def summary(times: list[float]) -> dict[str, float]:
    return {"median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3)}


def every_topic_placed(store: Store) -> bytes:
    """The EDSF-derived taxonomy's areas with every topic of the store placed in a competence, in turn."""
    rows = list(csv.DictReader(io.StringIO(EDSF_FILE.read_text("utf-8"))))
    topics = sorted(r["id"] for r in store.read(lambda tx: tx.run("MATCH (t:Topic) RETURN t.id AS id")))
    competences = [r for r in rows if r["broader"]]
    placed: dict[str, list[str]] = {r["id"]: [] for r in rows}
    for k, topic in enumerate(topics):
        placed[competences[k % len(competences)]["id"]].append(topic)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows({**r, "topics": "; ".join(placed[r["id"]])} for r in rows)
    return out.getvalue().encode("utf-8")


def time_store(store: Store, writes: int) -> dict[str, Any]:
    member = store.read(lambda tx: tx.run("MATCH (m:Member) RETURN m.id AS id ORDER BY id LIMIT 1"))[0]["id"]

    def edit(tx: Tx) -> None:
        tx.run(TOUCH, id=member)
        tx.touched([member])

    def pure(tx: Tx) -> float:
        ix = interest_index(tx)
        areas, broader = taxonomy_rows.areas(tx), taxonomy_rows.broader_links(tx)
        places, retired = taxonomy_rows.places(tx), retired_topics(tx)
        return seconds(lambda: roll_up(ix, areas, broader, places, M49_REGIONS, retired))

    store.read(area_coverage)  # (warm: a connection, the statements' plans, the index)
    rolled = store.read(area_coverage)
    computed = [store.read(pure) for _ in range(writes)]
    edited, declared_nothing, report, kept, no_member = [], [], [], [], []
    for _ in range(writes):
        store.write(edit)
        edited.append(seconds(lambda: store.read(area_coverage)))
        kept.append(seconds(lambda: store.read(area_coverage)))
        store.write(lambda tx: tx.touched([]))
        no_member.append(seconds(lambda: store.read(area_coverage)))
        store.write(lambda tx: tx.run(TOUCH, id=member))  # (declares nothing: everything is made anew)
        declared_nothing.append(seconds(lambda: store.read(area_coverage)))
        store.write(lambda tx: tx.run(TOUCH, id=member))
        report.append(seconds(lambda: store.read(coverage_report)))
    return {
        "roll_up": summary(computed),
        "after_a_members_edit": summary(edited),
        "after_a_write_that_declared_nothing": summary(declared_nothing),
        "coverage_report_after_a_write_that_declared_nothing": summary(report),
        "kept_ms": round(statistics.median(kept) * 1000, 2),
        "after_a_write_that_changed_no_member_ms": round(statistics.median(no_member) * 1000, 1),
        "areas": rolled["summary"]["areas"],
        "findings": len(rolled["findings"]),
        "writes": writes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--writes", type=int, default=5, help="writes to time what follows one (median, max)")
    parser.add_argument("--neo4j", action="store_true", help="also on a throwaway Neo4j (heavy)")
    args = parser.parse_args()
    results: dict[str, Any] = {"members": args.members}
    with tempfile.TemporaryDirectory(prefix="graphapp-bench-") as tmp:
        files = write_dataset(synthetic(args.members, seed=0), Path(tmp) / "data")
        with LadybugStore(Path(tmp) / "bench.lbug") as ladybug:
            create_schema(ladybug)
            import_files(ladybug, files)
            ladybug.write(import_taxonomy, every_topic_placed(ladybug), "every-topic.csv")
            results["ladybug"] = time_store(ladybug, args.writes)
        print("LadybugDB:", results["ladybug"], flush=True)
        if args.neo4j:
            with (
                ThrowawayNeo4j(heap="4g", pagecache_mb=1024) as server,
                Neo4jStore(server.uri or "") as neo4j,
            ):
                create_schema(neo4j)
                import_files(neo4j, files)
                neo4j.write(import_taxonomy, every_topic_placed(neo4j), "every-topic.csv")
                results["neo4j"] = time_store(neo4j, args.writes)
            print("Neo4j:", results["neo4j"], flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "rollup_speed.json").write_text(json.dumps(results, indent=1))
    print(
        f"\n| {args.members:,} members | roll_up s | after a member's edit s (median / max of {args.writes}) "
        "| after a write that declared nothing s | coverage report, same s | kept ms "
        "| after a write that changed no member ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, key in (("LadybugDB", "ladybug"), ("Neo4j", "neo4j")):
        if key in results:
            r = results[key]
            print(
                f"| {name} | {r['roll_up']['median_s']} "
                f"| {r['after_a_members_edit']['median_s']} / {r['after_a_members_edit']['max_s']} "
                f"| {r['after_a_write_that_declared_nothing']['median_s']} "
                f"| {r['coverage_report_after_a_write_that_declared_nothing']['median_s']} "
                f"| {r['kept_ms']} | {r['after_a_write_that_changed_no_member_ms']} |"
            )


if __name__ == "__main__":
    main()
