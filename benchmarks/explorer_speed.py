"""How fast the network explorer settles at 2,000 people, beside pyvis's defaults, in the same run.

    .venv/bin/python -m benchmarks.explorer_speed [--members 2000] [--baseline-timeout 300]

The synthetic generator's N members (seed 0) go into an embedded store; the whole network (N people plus
their organisations, topics and workstreams) is drawn twice in headless Chromium, from standalone HTML
files built the same way except for layout and options:

- graphapp: the server-side layout (see graphapp.contactmap) and the explorer's options;
- baseline: the same nodes and edges with pyvis's default options (dynamic smooth edges, 1,000
  stabilisation iterations, vis-network's improved layout) and no positions, which is what a pyvis user
  gets out of the box.

For each: the time from script start until the map is settled (the end of stabilisation, or for a map
graphapp draws where the server laid it out, the first frame),
and then the time to redraw one frame (the mean of 20 redraws), whole and while the map is being dragged
(what panning and zooming cost). Also the server-side time to read the map and lay it out. Headless
Chromium draws with the CPU (no GPU here), so frames are slower than on a desktop. Figures, not assertions.

    .venv/bin/python -m benchmarks.explorer_speed --page [--members 2000]

times the explorer page itself as a person meets it (issue 15 §7): `graphapp serve` with the demo network,
then with N synthetic members, an administrator signed in through the login page, and the time from
navigation start until ``/explore`` (the whole network, the explorer's defaults) is settled, with the
number of nodes drawn.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pyvis.network import Network as PyvisNetwork

from devtools.chromium import start_chromium
from graphapp.contactmap import View, contact_graph
from graphapp.demo import synthetic
from graphapp.exports import Export, to_html
from graphapp.ingest import import_files
from graphapp.ingest.synthetic import write_dataset
from graphapp.queries.contactmap import read_map
from graphapp.queries.schema import create_schema
from graphapp.store import LadybugStore
from graphapp.visnetwork import vis_data

RESULTS = Path(__file__).resolve().parent / "results"


def baseline_data(graphapp_data: dict[str, Any]) -> dict[str, Any]:
    """The same nodes and edges with no positions, and pyvis's default options."""
    defaults = json.loads(PyvisNetwork().options.to_json())
    nodes = [{k: v for k, v in n.items() if k not in ("x", "y")} for n in graphapp_data["nodes"]]
    return {"nodes": nodes, "edges": graphapp_data["edges"], "options": defaults}


def measure(page: Path, timeout: float) -> dict[str, Any]:
    """Open the page in a fresh headless Chromium, in a child process, and wait for the layout to settle.

    vis-network lays out on the page's main thread, so a page may not even finish loading until it is
    done, and every WebDriver call waits with it: the child process is simply ended after ``timeout``."""
    command = [sys.executable, "-m", "benchmarks.explorer_speed", "--measure", str(page)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        subprocess.run(["pkill", "-f", f"file://{page}"], check=False)  # the browser it left behind
        return {"settled_s": None, "note": f"not settled after {timeout:.0f} s"}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _measure_here(page: Path) -> dict[str, Any]:
    driver = start_chromium()
    driver.command_executor.client_config.timeout = 3600  # the child process is timed from outside
    driver.set_page_load_timeout(3600)
    driver.set_script_timeout(3600)
    try:
        driver.get(page.as_uri())
        while True:
            settled = driver.execute_script(
                "return document.getElementById('network').dataset.settledMs || null;"
            )
            if settled is not None:
                break
            time.sleep(0.25)
        frame = driver.execute_script(
            "const n = window.graphappNetwork; const t0 = performance.now();"
            "for (let i = 0; i < 20; i++) { n.redraw(); } return (performance.now() - t0) / 20;"
        )
        # A frame while the map is dragged: vis-network leaves edges out when hideEdgesOnDrag is set.
        panning = driver.execute_script(
            "const n = window.graphappNetwork; n.renderer.dragging = true; const t0 = performance.now();"
            "for (let i = 0; i < 20; i++) { n.redraw(); } const t = (performance.now() - t0) / 20;"
            "n.renderer.dragging = false; return t;"
        )
        # What placing and drawing the labels costs in a frame (the mean of 20, the whole map in view).
        labels = driver.execute_script(
            "const n = window.graphappNetwork, c = document.getElementById('network'); let t = 0;"
            "for (let i = 0; i < 20; i++) { n.redraw(); t += Number(c.dataset.labelsMs || 0); }"
            "return [t / 20, Number(c.dataset.drawnLabels || 0)];"
        )
        drawn = driver.execute_script("return document.getElementById('network').dataset.drawnNodes;")
    finally:
        driver.quit()
    return {
        "settled_s": int(settled) / 1000,
        "frame_ms": round(frame, 1),
        "frame_while_panning_ms": round(panning, 1),
        "drawn_nodes": int(drawn),
        "labels_ms": round(labels[0], 1),
        "drawn_labels": int(labels[1]),
    }


def _page_settled(driver: Any, url: str) -> dict[str, Any]:
    """Open ``url`` and wait until the explorer is settled: the time from navigation start until the page
    is seen settled (polled every 0.1 s, so at most that much late)."""
    driver.get(url)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        state = driver.execute_script(
            "const n = document.getElementById('network');"
            "return n && n.dataset.settledMs ? [n.dataset.drawnNodes, performance.now()] : null;"
        )
        if state is not None:
            # (After the timing) what the first frames drew: the nodes, and the labels where counted.
            time.sleep(0.5)
            drawn = driver.execute_script(
                "const n = document.getElementById('network').dataset; return [n.drawnNodes, n.drawnLabels];"
            )
            found = {"settled_s": round(float(state[1]) / 1000, 2), "drawn_nodes": int(drawn[0] or 0)}
            return found if drawn[1] is None else {**found, "drawn_labels": int(drawn[1])}
        time.sleep(0.1)
    return {"settled_s": None, "note": "not settled after 600 s"}


def measure_page(members: int, baseline: str = "", rounds: int = 1) -> dict[str, Any]:
    """The served explorer's time to a settled whole network: the demo, then ``members`` synthetic people.
    With ``baseline`` (the Python of another checkout, e.g. main before a change, installed in its own
    venv), each picture is served by both in turn, ``rounds`` times, so that both meet the same load."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.processes import _clean_env, serving

    out: dict[str, Any] = {}
    pythons = {"this checkout": sys.executable, **({"baseline": baseline} if baseline else {})}
    with tempfile.TemporaryDirectory() as tmp:
        for name, which, round_ in (
            (name, which, round_)
            for name in ("demo", f"{members} synthetic members")
            for round_ in range(rounds)
            for which in pythons
        ):
            folder = Path(tmp) / f"{name}-{which}-{round_}".replace(" ", "-")
            folder.mkdir()
            env = {**_clean_env(), "GRAPHAPP_DB": str(folder / "graph.lbug")}
            python = pythons[which]
            checkout = Path(python).parent.parent.parent  # (DIR/.venv/bin/python: run from DIR, its own code)

            def graphapp(
                env: dict[str, str],
                *args: str,
                stdin: str | None = None,
                python: str = python,
                checkout: Path = checkout,
            ) -> Any:
                return subprocess.run(
                    [python, "-m", "graphapp.cli", *args],
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=1200,
                    input=stdin,
                    cwd=checkout,
                )

            if name == "demo":
                done = graphapp(env, "demo")
            else:
                data = folder / "data"
                graphapp(env, "synthetic", str(members), "--out", str(data))
                done = graphapp(env, "import", *sorted(str(p) for p in data.iterdir()))
            assert done.returncode == 0, done.stderr
            made = graphapp(
                env,
                "account",
                "create",
                "a@example.org",
                "--role",
                "admin",
                "--password-stdin",
                stdin="a long enough passphrase\n",
            )
            assert made.returncode == 0, made.stderr
            with serving(
                env, folder / "serve.log", command=(python, "-m", "graphapp.cli"), cwd=checkout
            ) as url:
                driver = start_chromium()
                try:
                    driver.get(url + "login")
                    driver.find_element(By.ID, "login").send_keys("a@example.org")
                    driver.find_element(By.ID, "password").send_keys("a long enough passphrase", Keys.ENTER)
                    WebDriverWait(driver, 30).until(lambda d: "/login" not in d.current_url)
                    _page_settled(driver, url + "explore")  # warm the server's caches once
                    found = _page_settled(driver, url + "explore")
                finally:
                    driver.quit()
            out.setdefault(name, {}).setdefault(which, []).append(found)
            print(name, which, found, flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--baseline-timeout", type=float, default=300)
    parser.add_argument("--page", action="store_true", help="Time the served explorer page instead.")
    parser.add_argument(
        "--baseline-python",
        default="",
        help="with --page: also serve each picture with this interpreter's graphapp (another checkout's venv)",
    )
    parser.add_argument("--rounds", type=int, default=1, help="with --page: how many times each is served")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the child process of measure()
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(_measure_here(args.measure)))
        return
    if args.page:
        print(json.dumps(measure_page(args.members, args.baseline_python, args.rounds), indent=2))
        return

    with tempfile.TemporaryDirectory() as tmp:
        files = write_dataset(synthetic(args.members, seed=0), Path(tmp) / "data")
        store = LadybugStore(str(Path(tmp) / "graph.lbug"))
        create_schema(store)
        import_files(store, files)
        view = View()
        t0 = time.perf_counter()
        graph = store.read(read_map, view)
        t1 = time.perf_counter()
        G = contact_graph(graph)
        data = vis_data(G)
        t2 = time.perf_counter()
        store.close()

        export = Export(view, graph, [], f"{args.members:,} people")
        ours = Path(tmp) / "graphapp.html"
        ours.write_bytes(to_html(export))
        theirs = Path(tmp) / "baseline.html"
        theirs.write_bytes(to_html(export, data=baseline_data(data)))

        result_ours = measure(ours, 120)
        print("graphapp:", result_ours, flush=True)
        result_theirs = measure(theirs, args.baseline_timeout)

    figures = {
        "members": args.members,
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "server_read_s": round(t1 - t0, 2),
        "server_layout_s": round(t2 - t1, 2),
        "graphapp": result_ours,
        "pyvis_defaults": result_theirs,
    }
    if result_ours.get("settled_s") and result_theirs.get("settled_s"):
        figures["settle_ratio"] = round(result_theirs["settled_s"] / result_ours["settled_s"], 1)
    print(json.dumps(figures, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "explorer_speed.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
