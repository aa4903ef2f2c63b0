"""Type-check graphapp under the names it is installed by: graphapp, graphapp.ingest, graphapp.queries.

``ingest/`` and ``queries/`` sit beside ``graphapp/`` in the repository and are installed as
``graphapp.ingest`` and ``graphapp.queries`` (pyproject's package-dir). mypy cannot follow the import hook of
an editable install, so this lays the installed package out as symbolic links in ``build/mypy-layout/``,
runs mypy there with pyproject's ``[tool.mypy]`` settings, and reports the repository's own paths.

Run from the repository root: ``.venv/bin/python -m devtools.typecheck [mypy options]``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYOUT = ROOT / "build" / "mypy-layout"
#: The folders of the repository that the wheel installs inside graphapp, under these names.
MAPPED = {"ingest": ROOT / "ingest", "queries": ROOT / "queries"}


def lay_out() -> Path:
    """``build/mypy-layout/graphapp/``: links to each entry of graphapp/, plus ingest/ and queries/."""
    package = LAYOUT / "graphapp"
    if package.exists():
        shutil.rmtree(package)
    package.mkdir(parents=True)
    for entry in (ROOT / "graphapp").iterdir():
        if entry.name != "__pycache__":
            (package / entry.name).symlink_to(entry)
    for name, folder in MAPPED.items():
        (package / name).symlink_to(folder)
    return package


def main(argv: list[str]) -> int:
    """Run mypy on the packages; its output names files as they are in the repository."""
    package = lay_out()
    env = {**os.environ, "MYPYPATH": str(LAYOUT)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--show-absolute-path",
            *argv,
            "-p",
            "graphapp",
        ],  # and its subpackages
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    out = proc.stdout + proc.stderr
    for name in MAPPED:
        out = out.replace(f"{package}/{name}/", f"{name}/")
    out = out.replace(f"{package}/", "graphapp/").replace(f"{ROOT}/", "")
    sys.stdout.write(out)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
