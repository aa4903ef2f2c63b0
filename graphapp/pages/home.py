"""The home page: the network at a glance."""

from __future__ import annotations

from flask import render_template

from graphapp.db import get_store
from graphapp.pages import bp
from graphapp.queries.members import network_summary


@bp.get("/")
def index() -> str:
    store = get_store()
    return render_template("pages/index.html", **store.read(network_summary), store=store.description)
