"""The files graphapp reads at run time, found the same way from a checkout and from an installed wheel.

In the repository the templates sit at the top (``templates/``, beside ``graphapp/``); the wheel carries
them inside the package (``graphapp/templates``), together with the static assets and the demo data,
which live inside the package in both.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DEMO_DATA", "PACKAGE", "STATIC", "TAXONOMY_DATA", "TEMPLATES", "VIS_NETWORK", "VIS_NETWORK_FILES"]

PACKAGE = Path(__file__).resolve().parent


def _templates() -> Path:
    shipped = PACKAGE / "templates"  # an installed wheel
    return shipped if shipped.is_dir() else PACKAGE.parent / "templates"  # a checkout


TEMPLATES = _templates()
STATIC = PACKAGE / "static"
DEMO_DATA = PACKAGE / "data" / "demo"
#: The shipped competence taxonomy (derived from the EDSF: see NOTICE.md there).
TAXONOMY_DATA = PACKAGE / "data" / "taxonomy"
#: vis-network, shipped with its licences (see its README.md there): what the explorer and the HTML export
#: load, never from a CDN nor from inside another package.
VIS_NETWORK = STATIC / "vendor" / "vis-network"
VIS_NETWORK_VERSION = "9.1.2"
VIS_NETWORK_FILES = ("vis-network.min.js", "vis-network.min.css")
