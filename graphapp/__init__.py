"""graphapp: the network of data science unit leaders in official statistics, as a graph."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

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
        NEO4J_RETRY_SECONDS=3,  # a page waits this long for a Neo4j that does not answer, then says 503
    )
    for key in (
        "NEO4J_URI",
        "NEO4J_USER",
        "NEO4J_PASSWORD",
        "NEO4J_DATABASE",
        "GRAPHAPP_DB",
        "NEO4J_RETRY_SECONDS",
    ):
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    if test_config is not None:
        app.config.from_mapping(test_config)

    from graphapp import api, db, pages, reports
    from graphapp.exports import FORMATS, country_name

    db.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.add_template_filter(country_name)
    app.jinja_env.globals.update(formats=FORMATS, gap_href=reports.gap_href)
    _register_errors(app)
    return app


def _register_errors(app: Flask) -> None:
    """Errors as JSON under /api/, as a page elsewhere: a bad parameter is 400, a database that is down 503."""
    from graphapp.params import BadRequest
    from graphapp.store import StoreUnavailable  # (a locked embedded file is one too)

    def respond(status: int, message: str, template: str = "pages/error.html") -> Any:
        if request.path.startswith("/api/"):
            return jsonify({"error": {"status": status, "message": message}}), status
        return render_template(template, status=status, message=message), status

    @app.errorhandler(BadRequest)
    def bad_request(e: BadRequest) -> Any:
        return respond(400, str(e))

    @app.errorhandler(StoreUnavailable)
    def unavailable(e: Exception) -> Any:
        return respond(503, str(e), "pages/unavailable.html")

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException) -> Any:
        return respond(e.code or 500, e.description or e.name)
