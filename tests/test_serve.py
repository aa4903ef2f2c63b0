"""`graphapp serve` as a real process, and a coordinator importing while it runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import member, write_csv
from tests.processes import _clean_env, _page, graphapp, serving


@pytest.fixture
def env(store_config: dict[str, str]) -> dict[str, str]:
    return {**_clean_env(), **store_config, "GRAPHAPP_PUBLIC": "1"}  # the home page without signing in


@pytest.fixture
def server(env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    assert graphapp(env, "demo").returncode == 0
    with serving(env, tmp_path / "serve.log") as url:
        yield url


def test_import_while_serving(backend: str, env: dict[str, str], server: str, tmp_path: Path) -> None:
    newcomer = write_csv(
        tmp_path / "new.csv", [member("Ana Example", "ana.example@example.org", organisation="ONS")]
    )
    result = graphapp(env, "import", str(newcomer))
    if backend == "ladybug":
        # One writer per embedded file: the CLI says so plainly, and nothing is touched.
        assert result.returncode == 1
        assert "is in use by another process" in result.stderr
        assert "graphapp serve" in result.stderr and "NEO4J_URI" in result.stderr
        assert "<strong>150</strong> members" in _page(server)
    else:
        # A Neo4j server is shared: the import lands and the running app sees it.
        assert result.returncode == 0, result.stderr
        assert "<strong>151</strong> members" in _page(server)


def test_embedded_file_is_intact_after_a_refused_import(tmp_path: Path) -> None:
    env = {**_clean_env(), "GRAPHAPP_DB": str(tmp_path / "graph.lbug"), "GRAPHAPP_PUBLIC": "1"}
    assert graphapp(env, "demo").returncode == 0
    newcomer = write_csv(tmp_path / "new.csv", [member("Ana Example", "ana.example@example.org")])
    with serving(env, tmp_path / "serve.log"):
        assert graphapp(env, "import", str(newcomer)).returncode == 1
    result = graphapp(env, "import", str(newcomer))
    assert result.returncode == 0, result.stderr
    assert "Member: created 1" in result.stdout
    backup = tmp_path / "b.json"
    assert graphapp(env, "backup", str(backup)).returncode == 0
    members = json.loads(backup.read_text())["nodes"]["Member"]
    assert len(members) == 151 and all(m.get("email") for m in members)  # (the demo's 150, and Ana)
