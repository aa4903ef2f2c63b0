"""How long `graphapp remind` takes when every member is due, and what the coverage page's stale share
costs, on an embedded store.

    .venv/bin/python -m benchmarks.remind_speed [--members 10000]

The synthetic generator's N members (seed 0) are imported and all given a `joined` date years back, so
that each is due a first reminder. Timed: the dry run (one read of every member's freshness), the run
(each batch of 200 locked, read again, decided, its mails queued and its history written, in one write
transaction), a second run (nothing left to do: what a daily cron run mostly costs), and the stale share
for the coverage page with the report current, then kept. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    n = parser.parse_args().members

    from graphapp import create_app
    from graphapp.db import get_store
    from graphapp.freshness import Timing, remind, stale_coverage
    from graphapp.ingest import import_files
    from graphapp.reports import coverage_report

    work = Path(tempfile.mkdtemp())
    files = work / "files"
    command = [sys.executable, "-m", "graphapp.cli", "synthetic", str(n), "-o", str(files)]
    subprocess.run(command, check=True, capture_output=True)
    app = create_app({"TESTING": True, "GRAPHAPP_DB": str(work / "graph.lbug")})
    with app.test_request_context("/", base_url="http://graphapp.example.org"):
        store = get_store()
        import_files(store, sorted(files.glob("*.csv")))
        store.write(lambda tx: tx.run("MATCH (m:Member) SET m.joined = '2020-01-01'"))
        now, timing = datetime.now(UTC), Timing()

        def timed(what: str, work: Callable[[], T]) -> T:
            started = time.perf_counter()
            result = work()
            print(f"{what}: {time.perf_counter() - started:.2f} s", flush=True)
            return result

        planned = timed("dry run", lambda: remind(store, timing, now=now, dry_run=True))
        done = timed("remind", lambda: remind(store, timing, now=now))
        again = timed("remind again", lambda: remind(store, timing, now=now))
        print(f"{n} members: {len(planned)} due, {len(done)} reminded, then {len(again)}")
        store.read(coverage_report)
        timed("stale share (report current)", lambda: store.read(stale_coverage, now, timing))
        timed("stale share (kept)", lambda: store.read(stale_coverage, now, timing))


if __name__ == "__main__":
    main()
