"""The first suggestion after a one-member edit, on each store, beside a full rebuild of the index.

    .venv/bin/python -m benchmarks.edit_speed [--members 100000] [--edits 40] [--rebuilds 5]

The synthetic generator's N members (seed 0) go into each store. Per store, on a store that has served a
suggestion already (its index built, its statements planned, as a running app's):

- the full-rebuild baseline: after a write that does not say which members it changed (it sets a
  member's consent to what it is), the time of the first suggestion, which builds the index anew
  (``--rebuilds`` times);
- ``--edits`` times: a member drawn with a fixed seed edits their profile through the profile form's
  own save (:func:`graphapp.profiles.save_profile`: one topic dropped, another added, at a random level),
  then the time of their first suggestion after it (the index patched with that member read again);
  p50, p95 and max. The save itself is timed too;
- the check: after the edits, the index the store kept (patched ``--edits`` times) against one built anew
  in the same transaction: all it holds, member by member, and the suggestions (every mode) of the
  members edited and of a sample of others. The benchmark fails if any differs.

Figures, not assertions (but for the check).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.suggest_speed import RESULTS, percentile
from devtools.neo4j_harness.throwaway import ThrowawayNeo4j
from graphapp.analytics.interest_index import InterestIndex
from graphapp.analytics.suggestions import SCORED_MODES, suggest
from graphapp.demo import synthetic
from graphapp.ingest import import_files
from graphapp.ingest.synthetic import write_dataset
from graphapp.profiles import FIELDS, form_values, revision, save_profile
from graphapp.queries.interest import read_interests
from graphapp.queries.members import member_profile
from graphapp.queries.schema import create_schema
from graphapp.reports import interest_index, suggest_peers
from graphapp.store import LadybugStore, Neo4jStore, Store

UNDECLARED = "MATCH (m:Member {id: $id}) SET m.suggestible = m.suggestible"


def seconds(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def wall_and_cpu(work: Callable[[], Any]) -> tuple[float, float]:
    """Milliseconds of wall clock, and of this process's CPU (threads included): on a shared machine the
    wall clock counts the time other processes had the cores; the CPU time is what the work itself cost
    here (on LadybugDB, the database's work too; on Neo4j, not the server's)."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def edit_topics(store: Store, member: str, topic_names: list[str], rng: random.Random) -> None:
    """The member's profile saved through the form's path, one topic dropped and another added."""
    profile = store.read(member_profile, member)
    values = form_values(profile)
    interests = [f"{i['name']}:{i['level']}" for i in profile["interests"]][1:]
    held = {i["name"] for i in profile["interests"]}
    new = rng.choice([t for t in topic_names if t not in held])
    interests.append(f"{new}:{rng.choice(['learning', 'practising', 'expert'])}")
    values["topics"] = "; ".join(interests)
    ticked = [w["id"] for w in profile["workstreams"]]
    store.write(save_profile, member, {f: values[f] for f in FIELDS}, revision(profile), ticked)


def built_anew(tx: Any) -> InterestIndex:
    rows, _ = read_interests(tx)
    return InterestIndex(
        rows.members,
        rows.topics,
        rows.holders,
        rows.employees,
        rows.workstream_members,
        rows.organisation_names,
    )


def same_answers(store: Store, members: list[str], before: InterestIndex) -> dict[str, Any]:
    """The kept index against one built anew in the same transaction; and whether it was patched from
    ``before`` every time (a patch shares the topics' list, a build reads it again)."""
    kept, fresh = store.read(lambda tx: (interest_index(tx), built_anew(tx)))
    differ = [
        (m, mode)
        for m in members
        for mode in SCORED_MODES
        if suggest(kept, m, [], mode=mode) != suggest(fresh, m, [], mode=mode)
    ]
    return {
        "index_content_equal": kept.content() == fresh.content(),
        "answers_compared": len(members) * len(SCORED_MODES),
        "answers_differing": len(differ),
        "patched_not_rebuilt": kept.topic_ids is before.topic_ids,
    }


def time_store(store: Store, members: list[str], edits: int, rebuilds: int) -> dict[str, Any]:
    rng = random.Random(2)
    topic_names = sorted(
        r["name"] for r in store.read(lambda tx: tx.run("MATCH (t:Topic) RETURN t.name AS name"))
    )
    edited = rng.sample(members, edits)
    others = rng.sample([m for m in members if m not in edited], 20)
    store.read(suggest_peers, others[0])  # the index built, the statements planned

    rebuild, rebuild_cpu = [], []
    for k in range(rebuilds):
        store.write(lambda tx, k=k: tx.run(UNDECLARED, id=others[k % len(others)]))
        wall, cpu = wall_and_cpu(lambda k=k: store.read(suggest_peers, others[k % len(others)]))
        rebuild.append(wall)
        rebuild_cpu.append(cpu)

    before = store.read(interest_index)
    saves, first, first_cpu = [], [], []
    for member in edited:
        saves.append(seconds(lambda member=member: edit_topics(store, member, topic_names, rng))[0] * 1000)
        wall, cpu = wall_and_cpu(lambda member=member: store.read(suggest_peers, member))
        first.append(wall)
        first_cpu.append(cpu)
    check = same_answers(store, edited + others, before)
    return {
        "load_average": os.getloadavg()[0],
        "full_rebuild_first_suggestion_p50_ms": round(statistics.median(rebuild), 1),
        "full_rebuild_first_suggestion_max_ms": round(max(rebuild), 1),
        "full_rebuild_first_suggestion_cpu_p50_ms": round(statistics.median(rebuild_cpu), 1),
        "after_an_edit_first_suggestion_cpu_p50_ms": round(statistics.median(first_cpu), 1),
        "after_an_edit_first_suggestion_cpu_p95_ms": round(percentile(first_cpu, 95), 1),
        "rebuilds": rebuilds,
        "after_an_edit_first_suggestion_p50_ms": round(statistics.median(first), 1),
        "after_an_edit_first_suggestion_p95_ms": round(percentile(first, 95), 1),
        "after_an_edit_first_suggestion_max_ms": round(max(first), 1),
        "profile_save_p50_ms": round(statistics.median(saves), 1),
        "profile_save_p95_ms": round(percentile(saves, 95), 1),
        "edits": edits,
        **check,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--rebuilds", type=int, default=5)
    parser.add_argument("--stores", default="ladybug,neo4j")
    parser.add_argument(
        "--heap",
        default="6g",
        help="the Neo4j server's heap (default 6g: the first import of 100,000 "
        "members with their history needs more than 4g; see docs/benchmarks.md)",
    )
    args = parser.parse_args()
    dataset = synthetic(args.members, seed=0)
    results: dict[str, Any] = {"members": args.members, "neo4j_heap": args.heap}
    stores = args.stores.split(",")
    with tempfile.TemporaryDirectory(prefix="graphapp-bench-") as tmp:
        files = write_dataset(dataset, Path(tmp) / "data")
        if "ladybug" in stores:
            with LadybugStore(Path(tmp) / "bench.lbug") as ladybug:
                create_schema(ladybug)
                results["ladybug_import_s"] = round(seconds(lambda: import_files(ladybug, files))[0], 1)
                ids = [r["id"] for r in ladybug.read(lambda tx: tx.run("MATCH (m:Member) RETURN m.id AS id"))]
                results["ladybug"] = time_store(ladybug, sorted(ids), args.edits, args.rebuilds)
            print("LadybugDB:", results["ladybug"], flush=True)
        if "neo4j" in stores:
            with (
                ThrowawayNeo4j(heap=args.heap, pagecache_mb=2048) as server,
                Neo4jStore(server.uri or "") as neo4j,
            ):
                create_schema(neo4j)
                results["neo4j_import_s"] = round(seconds(lambda: import_files(neo4j, files))[0], 1)
                ids = [r["id"] for r in neo4j.read(lambda tx: tx.run("MATCH (m:Member) RETURN m.id AS id"))]
                results["neo4j"] = time_store(neo4j, sorted(ids), args.edits, args.rebuilds)
            print("Neo4j:", results["neo4j"], flush=True)

    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "edit_speed.json").write_text(json.dumps(results, indent=1))
    print(
        f"\n| {args.members:,} members | first suggestion after a full change (rebuild) ms, p50 / max "
        f"| after a one-member edit (patch) ms, p50 / p95 / max of {args.edits} "
        "| CPU ms of this process: rebuild p50, patch p50 / p95 | profile save ms, p50 / p95 "
        "| patched index = one built anew | load average |"
    )
    print("|---|---:|---:|---:|---:|---|---:|")
    for name, key in (("LadybugDB", "ladybug"), ("Neo4j", "neo4j")):
        if key not in results:
            continue
        r = results[key]
        same = (
            "yes"
            if r["index_content_equal"] and not r["answers_differing"] and r["patched_not_rebuilt"]
            else "**NO**"
        )
        print(
            f"| {name} | {r['full_rebuild_first_suggestion_p50_ms']} / {r['full_rebuild_first_suggestion_max_ms']} "
            f"| {r['after_an_edit_first_suggestion_p50_ms']} / {r['after_an_edit_first_suggestion_p95_ms']} "
            f"/ {r['after_an_edit_first_suggestion_max_ms']} "
            f"| {r['full_rebuild_first_suggestion_cpu_p50_ms']}, {r['after_an_edit_first_suggestion_cpu_p50_ms']} "
            f"/ {r['after_an_edit_first_suggestion_cpu_p95_ms']} "
            f"| {r['profile_save_p50_ms']} / {r['profile_save_p95_ms']} "
            f"| {same} ({r['answers_compared']} answers) | {r['load_average']:.0f} |"
        )
    failed = [k for k in ("ladybug", "neo4j") if k in results and results[k]["answers_differing"]]
    failed += [k for k in ("ladybug", "neo4j") if k in results and not results[k]["index_content_equal"]]
    if failed:
        raise SystemExit(f"the patched index differs from one built anew on {', '.join(failed)}")


if __name__ == "__main__":
    main()
