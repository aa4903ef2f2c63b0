"""The network over time at scale: growth month by month and coverage as of a day, on each store.

    .venv/bin/python -m benchmarks.growth_speed [--members 100000] [--changes 100000] [--neo4j]

The synthetic generator's N members (seed 0), each given a joined date since 2021-01 (more each year),
go into the store; then ``--changes`` recorded changes to members in the history's format (a topic's
level, an organisation, a title, contacts), dated over the last three years, oldest first, each one's
``after`` what the member holds now and its ``before`` something else, so that undoing them rebuilds a
different past. Timed, each ``--repeat`` times (median):

- ``growth``: the growth month by month as the coverage page first makes it (reads and computation);
- ``as_of``: the coverage report of the network as it stood a year and a half ago (reads, undoing every
  change since, the same analytics as the live report); beside it the live report's own time.
Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from devtools.neo4j_harness.throwaway import ThrowawayNeo4j
from graphapp.analytics.growth import Snapshot, as_network, growth
from graphapp.demo import synthetic
from graphapp.ingest import import_files
from graphapp.ingest.synthetic import write_dataset
from graphapp.queries import history
from graphapp.queries.growth import network_now, node_changes
from graphapp.queries.schema import create_schema
from graphapp.reports import coverage_report_as_of, coverage_report_of, network_as_of
from graphapp.store import LadybugStore, Neo4jStore, Store

RESULTS = Path(__file__).resolve().parent / "results"


CPU: dict[str, list[float]] = {}


def seconds(work: Callable[[], Any], cpu: str = "") -> tuple[float, Any]:
    """Wall time of ``work``; with ``cpu``, its CPU time (this process's, every thread) is kept under that
    name: on a shared machine the wall time mostly measures the others' load."""
    started, started_cpu = time.perf_counter(), time.process_time()
    result = work()
    if cpu:
        CPU.setdefault(cpu, []).append(time.process_time() - started_cpu)
    return time.perf_counter() - started, result


def with_joined(dataset: Any, seed: int = 0) -> Any:
    rng = random.Random(seed)
    first, days = date(2021, 1, 1), (date(2025, 12, 31) - date(2021, 1, 1)).days
    for m in dataset.members:
        m["joined"] = (first + timedelta(days=round(days * rng.random() ** 0.5))).isoformat()
    return dataset


def record_history(store: Store, n: int, seed: int = 0) -> None:
    """``n`` changes to members, as the history records them, dated over the last three years."""
    now = store.read(network_now)
    members = now["members"]
    ids = sorted(members)
    orgs = sorted(now["organisations"])
    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(days=3 * 365)
    step = (3 * 365 * 86400) / max(n, 1)
    rows = []
    for i in range(n):
        m = rng.choice(ids)
        f = members[m]
        kind = rng.choice(["topics", "organisation", "title", "knows"])
        if kind == "topics" and f.get("topics"):
            after = f["topics"]
            before = sorted(after[1:] + [after[0].rpartition(":")[0] + ":learning"])
        elif kind == "organisation":
            after, before = f.get("organisation", ""), rng.choice(orgs)
        elif kind == "knows":
            after = f.get("knows", [])
            before = sorted(set(after) | {rng.choice(ids)})
        else:
            after, before = "Head of Data Science", "Data Scientist"
        if before == after:
            continue
        at = (start + timedelta(seconds=i * step)).isoformat(timespec="microseconds")
        rows.append(
            history.change(
                "profile", member=m, subject=f"member:{m}", before={kind: before}, after={kind: after}, at=at
            )
        )
    store.write(history.record_many, rows)


def time_store(store: Store, repeat: int) -> dict[str, Any]:
    day = date.today() - timedelta(days=548)
    out: dict[str, Any] = {}

    def grow() -> dict[str, Any]:
        return store.read(
            lambda tx: growth(Snapshot(**network_now(tx, interests=False)), node_changes(tx), date.today())
        )

    def parts() -> dict[str, float]:
        def run(tx: Any) -> dict[str, float]:
            t_all, snap = seconds(lambda: network_as_of(tx, day), "network_as_of")
            t_now, _ = seconds(lambda: network_now(tx, interests=False), "read_now")
            since = (day + timedelta(days=1)).isoformat()
            t_changes, _ = seconds(lambda: node_changes(tx, since=since), "read_changes")
            t_net, _ = seconds(lambda: as_network(snap, day), "as_network")
            return {
                "network_as_of": t_all,
                "of_which_read_now": t_now,
                "of_which_read_changes": t_changes,
                "as_network": t_net,
            }

        return store.read(run)

    timings: dict[str, list[float]] = {"growth": [], "as_of": [], "live": []}
    split: list[dict[str, float]] = []
    for _ in range(repeat):
        t, g = seconds(grow, "growth")
        timings["growth"].append(t)
        t, then = seconds(lambda: store.read(coverage_report_as_of, day), "as_of")
        timings["as_of"].append(t)
        t, live = seconds(lambda: store.read(coverage_report_of), "live")
        timings["live"].append(t)
        split.append(parts())
    out = {f"{k}_s": round(statistics.median(v), 2) for k, v in timings.items()}
    out["as_of_parts_s"] = {k: round(statistics.median(s[k] for s in split), 2) for k in split[0]}
    out["cpu_s"] = {k: round(statistics.median(v), 2) for k, v in CPU.items()}
    CPU.clear()
    out["months"] = len(g["months"])
    out["members_now"] = live["summary"]["members"]
    out["members_as_of"] = then["summary"]["members"]
    out["as_of_day"] = day.isoformat()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--neo4j", action="store_true", help="also on a throwaway Neo4j 5")
    args = parser.parse_args()
    results: dict[str, Any] = {"members": args.members, "changes": args.changes}
    with tempfile.TemporaryDirectory() as tmp:
        files = write_dataset(with_joined(synthetic(args.members)), Path(tmp) / "data")
        with LadybugStore(str(Path(tmp) / "graph.lbug")) as ladybug:
            create_schema(ladybug)
            import_files(ladybug, files)
            record_history(ladybug, args.changes)
            results["ladybug"] = time_store(ladybug, args.repeat)
            print("LadybugDB:", results["ladybug"], flush=True)
        if args.neo4j:
            with (
                ThrowawayNeo4j(heap="4g", pagecache_mb=1024) as server,
                Neo4jStore(server.uri or "") as neo4j,
            ):
                create_schema(neo4j)
                import_files(neo4j, files)
                record_history(neo4j, args.changes)
                results["neo4j"] = time_store(neo4j, args.repeat)
                print("Neo4j:", results["neo4j"], flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "growth_speed.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
