"""vis-network's files, served from the copy graphapp ships (the version pyvis writes for), never a CDN."""

from __future__ import annotations

from typing import Any

from flask import abort, send_from_directory

from graphapp.pages import bp
from graphapp.resources import VIS_NETWORK, VIS_NETWORK_FILES


@bp.get("/vendor/<name>")
def vendor(name: str) -> Any:
    """One of vis-network's files (any other name is a 404)."""
    if name not in VIS_NETWORK_FILES:
        abort(404)
    return send_from_directory(VIS_NETWORK, name, max_age=86400)
