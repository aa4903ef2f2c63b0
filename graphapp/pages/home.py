"""The home page: the network at a glance."""

from __future__ import annotations

from typing import Any

from flask import render_template

from graphapp.db import get_store
from graphapp.pages import bp
from graphapp.queries.cypher import Tx
from graphapp.queries.members import place_list
from graphapp.queries.schema import counts


def home_page(tx: Tx) -> dict[str, Any]:
    """How many members, organisations, topics, ... there are, and in how many countries and regions."""
    places = place_list(tx)
    return {
        "counts": counts(tx),
        "countries": len(places),
        "regions": len({p["region"] for p in places if p["region"]}),
    }


@bp.get("/")
def index() -> str:
    store = get_store()
    return render_template("pages/index.html", **store.read(home_page), store=store.description)
