"""The assets every page and export needs, shipped inside the package: present, the version they say they
are, with their licences, and served."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graphapp.resources import VIS_NETWORK, VIS_NETWORK_FILES, VIS_NETWORK_VERSION


@pytest.mark.parametrize("name", VIS_NETWORK_FILES)
def test_vis_network_is_shipped_whole(name: str) -> None:
    asset = VIS_NETWORK / name
    assert asset.is_file() and asset.stat().st_size > 100_000, f"{asset} is missing or truncated"


def test_vis_network_is_the_version_it_says_with_its_licences() -> None:
    header = (VIS_NETWORK / "vis-network.min.js").read_text(encoding="utf-8")[:600]
    assert re.search(rf"@version\s+{re.escape(VIS_NETWORK_VERSION)}\b", header), header
    assert VIS_NETWORK_VERSION in (VIS_NETWORK / "README.md").read_text(encoding="utf-8")
    for licence in ("LICENSE-MIT", "LICENSE-APACHE-2.0"):
        assert (VIS_NETWORK / licence).read_text(encoding="utf-8").strip(), licence


def test_pyvis_writes_for_the_version_shipped() -> None:
    """pyvis builds the drawing's options for one vis-network version: the one shipped must be it."""
    import pyvis

    bundled = Path(pyvis.__file__).parent / "templates" / "lib"
    assert (bundled / f"vis-{VIS_NETWORK_VERSION}").is_dir(), sorted(p.name for p in bundled.iterdir())


@pytest.mark.parametrize("name", VIS_NETWORK_FILES)
def test_vis_network_is_served_to_anyone(app, name: str) -> None:  # type: ignore[no-untyped-def]
    with app.test_client().get(f"/vendor/{name}") as response:
        assert response.status_code == 200
        assert response.data == (VIS_NETWORK / name).read_bytes()
