"""A million members (issue 17 §4), beside the same measures at 100,000 in the same run, on each store.

    .venv/bin/python -m benchmarks.million_speed [--members 1000000] [--baseline-members 100000]
        [--stores ladybug,neo4j] [--sample 200] [--heap 8g] [--import-only]
        [--part N] [--ladybug-part N]

The synthetic generator's N members (seed 0; at a million about 8 million interest edges), first at the
baseline's size, then at N. Each store and size runs in a process of its own (so that its peak memory is
its own), and does, in this order:

- **import**: the initial load (``graphapp import --initial``, :mod:`graphapp.ingest.initial`) on each
  store: the files checked as an import checks them, the members a chunk at a time, then written in
  parts of 100,000 rows, each its own transaction (LadybugDB: ``COPY FROM`` the spilled CSV files; Neo4j:
  batched ``UNWIND ... CREATE``). For comparison only, the imports this benchmark ran before the initial
  load: ``--part N`` (Neo4j) or ``--ladybug-part N`` (LadybugDB) cut the members file into imports of N
  members, each one transaction, as a coordinator would cut it, each contact listed on the row of
  whichever of its two people comes later (a part may only name people already in the graph or in that
  part); they slow down as the graph grows, and one import of a million members passed 18 GiB.
  ``--import-only`` stops after the import and what the store holds (counts), with the peak memory.
- **the interest index**: after a write, the first suggestion, which builds it (seconds), and what the
  index's arrays hold (MiB);
- **suggestions**: ``suggest_peers`` for ``--sample`` members drawn with a fixed seed (default options),
  p50, p95 and max;
- **the coverage report**: after a write (the index current, the report made anew), and kept;
- **a server**: `graphapp serve` on the store, with its warm-up: seconds until it listens and until
  /api/health says ready, its resident memory as it listens and once ready (what it keeps per revision is
  the difference), then a coordinator's coverage page and the explorer's whole network (grouped by
  organisation, as the explorer shows more than 1,000 people), each timed as the server answers it, with
  the number of nodes in the map, and the server's memory after them;
- the peak resident memory of the process that imported and measured.

The baseline is the same run at ``--baseline-members``: the ratios say how each figure grows with ten
times the members. Figures, not assertions; results/million_speed.json keeps them.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.serving import Person, environment, make_accounts, serve
from benchmarks.suggest_speed import percentile, touch
from devtools.neo4j_harness.throwaway import ThrowawayNeo4j
from graphapp.demo import synthetic
from graphapp.ingest import import_files
from graphapp.ingest.initial import initial_load
from graphapp.ingest.synthetic import write_dataset
from graphapp.queries.schema import counts, create_schema
from graphapp.reports import coverage_report, interest_index, suggest_peers
from graphapp.store import LadybugStore, Neo4jStore, Store

RESULTS = Path(__file__).parent / "results"


def peak_rss_mib() -> float:
    """This process's peak resident memory so far, in MiB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def rss_mib() -> float:
    status = Path("/proc/self/status").read_text()
    found = re.search(r"VmRSS:\s+(\d+) kB", status)
    return round(int(found.group(1)) / 1024, 1) if found else float("nan")


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def in_parts(members: Path, size: int, where: Path) -> list[Path]:
    """``members`` (the import's CSV) cut into files of ``size`` rows, each contact moved, where needed, to
    the row of whichever of its two people comes later, so that every part names only people already
    imported or in the part itself. The same people, interests and contacts as the whole file."""
    with members.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    place = {r["email"].lower(): i for i, r in enumerate(rows)}
    knows: list[list[str]] = [[] for _ in rows]
    for i, r in enumerate(rows):
        for other in filter(None, (x.strip() for x in r["knows"].split(";"))):
            j = place.get(other.lower(), i)
            if j <= i:
                knows[i].append(other)
            else:
                knows[j].append(r["email"])
    parts = []
    for k, start in enumerate(range(0, len(rows), size)):
        path = where / f"members-part-{k + 1:02d}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            out = csv.DictWriter(f, fieldnames=list(rows[0]))
            out.writeheader()
            for i in range(start, min(start + size, len(rows))):
                out.writerow({**rows[i], "knows": "; ".join(dict.fromkeys(knows[i]))})
        parts.append(path)
    return parts


def import_network(store: Store, files: list[Path], part: int | None, tmp: Path) -> dict[str, Any]:
    """The whole network into ``store``: by the initial load, or (``part``) the members in imports of
    ``part`` members after the rest."""
    create_schema(store)
    if part is None:
        took, loaded = timed(lambda: initial_load(store, files))
        return {"import_s": round(took, 1), "import_parts": "initial load", "history": loaded.history}
    members = next(f for f in files if f.name == "members.csv")
    others = [f for f in files if f != members]
    took_rest, _ = timed(lambda: import_files(store, others))
    each = []
    for path in in_parts(members, part, tmp):
        took, _ = timed(lambda path=path: import_files(store, [path]))
        each.append(round(took, 1))
        print(f"  part {len(each)}: {took:.1f} s", flush=True)
    return {
        "import_s": round(took_rest + sum(each), 1),
        "import_parts": len(each),
        "import_part_s": each,
    }


def index_mib(store: Store) -> float:
    """What the interest index's arrays hold, in MiB (its Python lists and dicts of ids and names aside)."""
    import numpy as np

    index = store.read(interest_index)
    total = 0
    for value in vars(index).values():
        if isinstance(value, np.ndarray):
            total += value.nbytes
        elif hasattr(value, "__dict__"):
            total += sum(v.nbytes for v in vars(value).values() if isinstance(v, np.ndarray))
    return round(total / 2**20, 1)


def measure(store: Store, sample: list[str]) -> dict[str, Any]:
    """The index, suggestions and the coverage report, on a store that holds the network."""
    store.read(suggest_peers, sample[-1])  # (a connection and the statements' plans, as a running app has)
    gc.collect()
    before = rss_mib()
    touch(store, sample[-1])
    build, _ = timed(lambda: store.read(suggest_peers, sample[0]))
    gc.collect()
    grown = rss_mib() - before
    times = []
    for me in sample:
        took, _ = timed(lambda me=me: store.read(suggest_peers, me))
        times.append(took * 1000)
    coverage = []
    for _ in range(2):
        touch(store, sample[-1])
        store.read(suggest_peers, sample[0])  # (the index rebuilt first: the report's own time below)
        coverage.append(timed(lambda: store.read(coverage_report))[0])
    kept, _ = timed(lambda: store.read(coverage_report))
    return {
        "index_build_s": round(build, 2),
        "index_arrays_mib": index_mib(store),
        "rss_growth_with_the_index_mib": round(grown, 1),
        "suggest_p50_ms": round(statistics.median(times), 1),
        "suggest_p95_ms": round(percentile(times, 95), 1),
        "suggest_max_ms": round(max(times), 1),
        "coverage_after_a_write_s": round(statistics.median(coverage), 2),
        "coverage_kept_ms": round(kept * 1000, 1),
    }


def serve_and_ask(env: dict[str, str], log: Path) -> dict[str, Any]:
    """A server's start, memory, coverage page and whole-network explorer, as a coordinator meets them."""
    with serve(env, log) as server:
        listening_rss = server.rss_mib()
        ready = server.until_ready(limit=3600)
        ready_rss = server.rss_mib()
        person = Person(server.url)
        person.sign_in("coordinator0@example.org")
        coverage, status, page = person.get("/coverage")
        assert status == 200 and "gap" in page.lower(), status
        explorer, status, page = person.get("/explore")
        assert status == 200, status
        nodes = len(re.findall(r'"id":\s*"', page))
        return {
            "listening_after_start_s": round(server.listening - server.started, 1),
            "ready_after_listening_s": round(ready, 1),
            "server_rss_listening_mib": listening_rss,
            "server_rss_ready_mib": ready_rss,
            "server_kept_per_revision_mib": round(ready_rss - listening_rss, 1),
            "coverage_page_s": round(coverage, 2),
            "explorer_whole_network_s": round(explorer, 2),
            "explorer_nodes": nodes,
            "server_rss_after_pages_mib": server.rss_mib(),
        }


@contextmanager
def opened(kind: str, tmp: Path, heap: str) -> Iterator[tuple[Callable[[], Store], dict[str, str]]]:
    if kind == "ladybug":
        path = tmp / "million.lbug"
        yield (lambda: LadybugStore(path)), {"GRAPHAPP_DB": str(path)}
        return
    # Page cache: the store's files at a million members (about 6 GiB) need not all fit; reads of the
    # index are sequential scans.
    with ThrowawayNeo4j(heap=heap, pagecache_mb=4096) as server:
        yield (lambda: Neo4jStore(server.uri or "")), {"NEO4J_URI": server.uri or ""}


def one(
    kind: str,
    data: Path,
    sample_size: int,
    heap: str,
    part: int,
    ladybug_part: int = 0,
    import_only: bool = False,
) -> dict[str, Any]:
    """Everything for one store and size, in this process."""
    files = sorted(data.glob("*.csv"))
    result: dict[str, Any] = {"store": kind, "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="graphapp-million-") as name:
        tmp = Path(name)
        with opened(kind, tmp, heap) as (open_store, env):
            with open_store() as store:
                in_parts = (part if kind == "neo4j" else ladybug_part) or None
                result.update(import_network(store, files, in_parts, tmp))
                result["rss_after_import_mib"] = rss_mib()
                result["peak_rss_import_mib"] = peak_rss_mib()
                result["holds"] = {k: n for k, n in store.read(counts).items() if n}
                if import_only:
                    return result
                ids = sorted(
                    r["id"] for r in store.read(lambda tx: tx.run("MATCH (m:Member) RETURN m.id AS id"))
                )
                result["members"] = len(ids)
                result["interests"] = store.read(
                    lambda tx: tx.run("MATCH (:Member)-[r:INTERESTED_IN]->(:Topic) RETURN count(r) AS n")
                )[0]["n"]
                sample = random.Random(1).sample(ids, sample_size)
                result.update(measure(store, sample))
                make_accounts(store, [], coordinators=1)
            result["peak_rss_mib"] = peak_rss_mib()
            result.update(serve_and_ask(environment(env), tmp / "serve.log"))
    result["load_after"] = os.getloadavg()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--baseline-members", type=int, default=100_000)
    parser.add_argument("--stores", default="ladybug,neo4j")
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--heap", default="8g", help="Neo4j's heap")
    parser.add_argument(
        "--part",
        type=int,
        default=0,
        help="members per import on Neo4j (0: the initial load; for comparison)",
    )
    parser.add_argument(
        "--ladybug-part",
        type=int,
        default=0,
        help="members per import on LadybugDB (0: the initial load; for comparison)",
    )
    parser.add_argument(
        "--import-only", action="store_true", help="stop after the import: its time, memory and counts"
    )
    parser.add_argument("--one", nargs=2, metavar=("STORE", "DATA"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(
            json.dumps(
                one(
                    args.one[0],
                    Path(args.one[1]),
                    args.sample,
                    args.heap,
                    args.part,
                    args.ladybug_part,
                    args.import_only,
                )
            )
        )
        return
    results: dict[str, Any] = {"runs": []}
    with tempfile.TemporaryDirectory(prefix="graphapp-million-data-") as name:
        for n in (args.baseline_members, args.members):
            data = Path(name) / str(n)
            generated, _ = timed(lambda n=n, data=data: write_dataset(synthetic(n, seed=0), data))
            print(f"{n:,} members generated in {generated:.0f} s", flush=True)
            for kind in args.stores.split(","):
                done = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "benchmarks.million_speed",
                        "--one",
                        kind,
                        str(data),
                        "--sample",
                        str(args.sample),
                        "--heap",
                        args.heap,
                        "--part",
                        str(args.part),
                        "--ladybug-part",
                        str(args.ladybug_part),
                        *(["--import-only"] if args.import_only else []),
                    ],
                    capture_output=True,
                    text=True,
                )
                if done.returncode != 0:
                    run = {"store": kind, "size": n, "failed": done.stderr[-4000:]}
                else:
                    run = {
                        "size": n,
                        "generated_s": round(generated),
                        **json.loads(done.stdout.splitlines()[-1]),
                    }
                    sys.stdout.write(done.stdout.rsplit("\n", 2)[0] + "\n")
                results["runs"].append(run)
                print(json.dumps(run), flush=True)
                RESULTS.mkdir(exist_ok=True)
                (RESULTS / "million_speed.json").write_text(json.dumps(results, indent=1))
    report(results["runs"])


ROWS = (
    ("members", "members"),
    ("interests", "interest edges"),
    ("import_s", "import s"),
    ("import_parts", "imports (parts)"),
    ("peak_rss_import_mib", "peak RSS of the importing process MiB"),
    ("index_build_s", "interest index: first suggestion after a write s"),
    ("index_arrays_mib", "interest index: arrays MiB"),
    ("suggest_p50_ms", "suggestions p50 ms"),
    ("suggest_p95_ms", "suggestions p95 ms"),
    ("suggest_max_ms", "suggestions max ms"),
    ("coverage_after_a_write_s", "coverage report after a write s"),
    ("coverage_kept_ms", "coverage report kept ms"),
    ("listening_after_start_s", "server: listening after start s"),
    ("ready_after_listening_s", "server: caches ready after listening s"),
    ("server_rss_listening_mib", "server RSS listening MiB"),
    ("server_rss_ready_mib", "server RSS ready MiB"),
    ("server_kept_per_revision_mib", "server: kept per revision MiB"),
    ("coverage_page_s", "coverage page s"),
    ("explorer_whole_network_s", "explorer, whole network (grouped) s"),
    ("explorer_nodes", "explorer nodes"),
    ("server_rss_after_pages_mib", "server RSS after the pages MiB"),
)


def report(runs: list[dict[str, Any]]) -> None:
    """A table per store: each measure at the baseline's size, at N, and their ratio."""
    for kind in dict.fromkeys(r["store"] for r in runs):
        mine = [r for r in runs if r["store"] == kind]
        if any("failed" in r for r in mine):
            for r in mine:
                if "failed" in r:
                    print(f"\n{kind} at {r['size']:,} failed:\n{r['failed']}")
            continue
        base, big = mine[0], mine[-1]
        print(f"\n| {kind} | {base['size']:,} | {big['size']:,} | ratio |\n|---|---:|---:|---:|")
        for key, label in ROWS:
            a, b = base.get(key), big.get(key)
            ratio = f"{b / a:.1f}" if isinstance(a, int | float) and isinstance(b, int | float) and a else ""
            print(f"| {label} | {a} | {b} | {ratio} |")


if __name__ == "__main__":
    main()
