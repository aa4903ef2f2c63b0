"""Pages. Until the front end lands, a home page that says what the network holds."""

from __future__ import annotations

from flask import Blueprint, render_template

from graphapp.db import get_store
from graphapp.store import StoreUnavailable
from queries.schema import counts

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> tuple[str, int] | str:
    store = get_store()
    try:
        tally = store.read(counts)
    except StoreUnavailable as e:
        return render_template("home/unavailable.html", reason=str(e)), 503
    return render_template("home/index.html", counts=tally, store=store.description)
