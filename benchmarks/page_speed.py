"""Each page a member and a coordinator open, one at a time, at 100,000 members, beside another checkout's
server on the same store in the same run (issue 17 §1: what is read per page).

    .venv/bin/python -m benchmarks.page_speed [--members 100000] [--stores ladybug,neo4j]
        [--baseline-python OTHER_CHECKOUT/.venv/bin/python] [--rounds 2]

The synthetic generator's N members (seed 0) go into each store, with a member account (tied to a member
drawn with seed 1) and a coordinator account. Then, per store, `graphapp serve` (8 threads, its warm-up
on) of this checkout and, with ``--baseline-python``, of the other checkout, taking turns ``--rounds``
times (this checkout first), each a fresh process on the same store: once it says ready
(``/api/health``), a member signs in (the sign-in and the home page it leads to) and opens a profile (with
its ten suggestions), their suggestions page (mentors), the suggestions API, a directory page and the
explorer (the whole network); a coordinator opens the coverage page. Each page twice: the first time (what
the first reader after a start meets) and again (what everyone after meets). Seconds as the server answers
them (urllib on loopback), and the server's resident memory at the end. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.serving import Person, environment, make_accounts, serve
from benchmarks.start_speed import HEAP
from devtools.neo4j_harness.throwaway import ThrowawayNeo4j
from graphapp.demo import synthetic
from graphapp.ingest import import_files
from graphapp.ingest.synthetic import write_dataset
from graphapp.queries.schema import create_schema
from graphapp.store import LadybugStore, Neo4jStore, Store

RESULTS = Path(__file__).parent / "results"


def prepare(store: Store, files: list[Path]) -> dict[str, str]:
    """Import the network and make the two accounts; the ids the pages are asked about."""
    create_schema(store)
    import_files(store, files)
    ids = sorted(r["id"] for r in store.read(lambda tx: tx.run("MATCH (m:Member) RETURN m.id AS id")))
    rng = random.Random(1)
    me, other = rng.sample(ids, 2)
    make_accounts(store, [me], coordinators=1)
    return {"me": me, "other": other}


def pages(who: dict[str, str]) -> list[tuple[str, str, str]]:
    """(name, account, path) of each page, in the order asked."""
    return [
        ("profile (with suggestions)", "member", f"/members/{who['other']}"),
        ("suggestions page (mentors)", "member", f"/members/{who['me']}?mode=mentors"),
        ("suggestions API", "member", f"/api/members/{who['me']}/suggestions"),
        ("directory", "member", "/members?page=3"),
        ("explorer (whole network)", "member", "/explore"),
        ("coverage", "coordinator", "/coverage"),
    ]


def one_server(python: str, env: dict[str, str], who: dict[str, str], log: Path) -> dict[str, Any]:
    with serve(env, log, python=python) as server:
        ready = server.until_ready(limit=1800)
        member, coordinator = Person(server.url), Person(server.url)
        began = time.monotonic()
        member.sign_in("member0@example.org")  # (the sign-in, then the home page it leads to)
        signed_in = time.monotonic() - began
        coordinator.sign_in("coordinator0@example.org")
        times: dict[str, list[float]] = {}
        for _ in range(2):
            for name, account, path in pages(who):
                took, status, _ = (member if account == "member" else coordinator).get(path)
                assert status == 200, (name, status)
                times.setdefault(name, []).append(round(took, 3))
        return {
            "ready_after_listening_s": round(ready, 1),
            "sign_in_and_home_s": round(signed_in, 2),
            "pages_s": times,
            "rss_mib": server.rss_mib(),
            "load_average": os.getloadavg(),
        }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--stores", default="ladybug,neo4j")
    parser.add_argument("--baseline-python", help="another checkout's python (its venv)")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    codes = [("this checkout", sys.executable)]
    if args.baseline_python:
        codes.append(("baseline", args.baseline_python))
    runs = []
    with tempfile.TemporaryDirectory(prefix="graphapp-pages-") as name:
        tmp = Path(name)
        files = write_dataset(synthetic(args.members, seed=0), tmp / "data")
        for kind in args.stores.split(","):
            if kind == "ladybug":
                path = tmp / "pages.lbug"
                with LadybugStore(path) as store:
                    who = prepare(store, files)
                runs += turns(kind, {"GRAPHAPP_DB": str(path)}, who, codes, args.rounds, tmp)
            else:
                with ThrowawayNeo4j(heap=HEAP, pagecache_mb=2048) as server:
                    with Neo4jStore(server.uri or "") as store:
                        who = prepare(store, files)
                    runs += turns(kind, {"NEO4J_URI": server.uri or ""}, who, codes, args.rounds, tmp)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "page_speed.json").write_text(json.dumps({"members": args.members, "runs": runs}, indent=1))
    names = [name for name, _, _ in pages({"me": "", "other": ""})]
    print(f"\n{args.members:,} members: seconds, first time / again")
    print(
        "| store | code (round) | ready s | sign-in + home s | " + " | ".join(names) + " | RSS MiB | load |"
    )
    print("|---|---|---:|---:|" + "---:|" * len(names) + "---:|---|")
    for r in runs:
        cells = " | ".join(" / ".join(f"{t:.2f}" for t in r["pages_s"][n]) for n in names)
        load = " ".join(f"{x:.1f}" for x in r["load_average"])
        print(
            f"| {r['store']} | {r['code']} ({r['round']}) | {r['ready_after_listening_s']} | "
            f"{r['sign_in_and_home_s']} | {cells} | {r['rss_mib']} | {load} |"
        )


def turns(
    kind: str,
    store_env: dict[str, str],
    who: dict[str, str],
    codes: list[tuple[str, str]],
    rounds: int,
    tmp: Path,
) -> list[dict[str, Any]]:
    runs = []
    for r in range(rounds):
        for label, python in codes:
            run = one_server(python, environment(store_env), who, tmp / f"{kind}-{label}-{r}.log")
            runs.append({"store": kind, "code": label, "round": r + 1, **run})
            print(json.dumps(runs[-1]), flush=True)
    return runs


if __name__ == "__main__":
    main()
