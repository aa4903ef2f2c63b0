"""graphapp: the network of data science unit leaders in official statistics, as a graph."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

__all__ = ["create_app"]

TOP = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The application factory: defaults, then the environment, then ``test_config``."""
    app = Flask(
        __name__,
        template_folder=str(TOP / "templates"),
        static_folder="static",
    )
    app.config.from_mapping(
        NEO4J_URI=None,
        NEO4J_USER=None,
        NEO4J_PASSWORD=None,
        NEO4J_DATABASE=None,
        GRAPHAPP_DB="graphapp.lbug",
    )
    for key in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE", "GRAPHAPP_DB"):
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    if test_config is not None:
        app.config.from_mapping(test_config)

    from graphapp import db, views

    db.init_app(app)
    app.register_blueprint(views.bp)
    return app
