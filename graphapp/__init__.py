"""graphapp: the network of data science unit leaders in official statistics, as a graph."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from graphapp.resources import STATIC, TEMPLATES
from graphapp.settings import DEFAULT_SECRET_KEY, from_environment

__all__ = ["DEFAULT_SECRET_KEY", "InsecureConfiguration", "create_app"]

#: Every page and answer: scripts and styles from this host only (no inline script anywhere: the explorer's
#: data travels in a JSON block), no framing, no plug-ins, forms post here only.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class InsecureConfiguration(RuntimeError):
    """graphapp was asked to run in production with a setting that is not safe there."""


def check_production(config: Any) -> None:
    """Refuse what must not reach production: the default (or a short) secret key, and mail links made
    from whatever host a request names (a forged Host header would put another site's address, and the
    token of the link, in someone's mail)."""
    key = config.get("SECRET_KEY") or ""
    if key == DEFAULT_SECRET_KEY or len(key) < 32:
        raise InsecureConfiguration(
            "GRAPHAPP_ENV=production needs GRAPHAPP_SECRET_KEY set to a long random value (32 characters "
            'or more), e.g. python3 -c "import secrets; print(secrets.token_urlsafe(48))"'
        )
    if not str(config.get("GRAPHAPP_BASE_URL") or "").startswith(("https://", "http://")):
        raise InsecureConfiguration(
            "GRAPHAPP_ENV=production needs GRAPHAPP_BASE_URL, the site's public address (e.g. "
            "https://graphapp.example.org), for the links in mails"
        )


def create_app(test_config: dict[str, Any] | None = None, *, warm_up: bool = False) -> Flask:
    """The application factory: defaults, then the environment, then ``test_config``.

    ``warm_up``: the app is to be served (``graphapp serve``, ``graphapp.wsgi``): prepare what is kept per
    graph revision in the background now (:mod:`graphapp.warmup`; ``GRAPHAPP_WARM_UP=0`` turns it off).
    Not by default: a command or a test that makes an app opens no store it did not ask for."""
    app = Flask(
        __name__,
        template_folder=str(TEMPLATES),
        static_folder=str(STATIC),
    )
    # Defaults and the environment, from the one table of settings; then the test mapping.
    app.config.from_mapping(from_environment(), SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    if test_config is not None:
        app.config.from_mapping(test_config)
    app.config["MAX_CONTENT_LENGTH"] = int(float(app.config["GRAPHAPP_MAX_UPLOAD_MB"]) * 2**20)
    # A form field may be as large as an upload (the taxonomy import's confirm sends the file's text back
    # as a field; Werkzeug's default for one field is 500 kB), the whole request still within the limit.
    app.config["MAX_FORM_MEMORY_SIZE"] = app.config["MAX_CONTENT_LENGTH"]
    if app.config["GRAPHAPP_ENV"] == "production":
        check_production(app.config)
        app.config["SESSION_COOKIE_SECURE"] = True
    app.debug = False  # never the interactive debugger: graphapp serve runs waitress, which has none
    proxies = int(app.config["GRAPHAPP_PROXIES"])
    if proxies:  # the visitor's address and scheme as the proxies in front saw them
        from werkzeug.middleware.proxy_fix import ProxyFix

        # (Not X-Forwarded-Host: a proxy that does not set it would pass on a client's, and links made from
        # the request's host would point wherever the client said. Links in mail use GRAPHAPP_BASE_URL.)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]

    from flask_wtf.csrf import CSRFProtect

    from graphapp import api, auth, db, i18n, pages, profiles, uploads, wording
    from graphapp.exports import FORMATS, country_name
    from graphapp.pages.links import gap_href
    from graphapp.queries.schema import LEVELS

    db.init_app(app)
    i18n.init_app(app)  # the reader's language (Flask-Babel): before anything renders a word
    auth.init_app(app)  # first: who is asking (Flask-Login's session), and may they ask at all
    CSRFProtect(app)  # then: every form that changes something carries a token; the API only reads
    app.register_blueprint(auth.bp)
    app.register_blueprint(pages.bp)
    api.init_app(app)  # the API's blueprint, and its OpenAPI document (flask-smorest)
    app.register_blueprint(uploads.bp)
    app.register_blueprint(profiles.bp)

    def viewer() -> auth.Viewer:
        from graphapp.store import StoreUnavailable

        try:
            return auth.current_viewer()
        except StoreUnavailable:  # (an error page for a database that is down still renders)
            return auth.ANONYMOUS

    @app.context_processor
    def who() -> dict[str, Any]:
        return {"viewer": viewer()}

    # A global, not a context value, so that macros imported without context can ask it too.
    app.jinja_env.globals["may_open"] = lambda endpoint: viewer().at_least(
        auth.ACCESS.get(endpoint, "member")
    )
    # A country's name in the reader's language (pycountry's translations of the ISO 3166 name).
    app.jinja_env.filters["country_name"] = i18n._per_request(
        lambda code: i18n.country_in(country_name(code))
    )
    app.jinja_env.globals.update(formats=FORMATS, levels=LEVELS, gap_href=gap_href)
    # The words of suggestions and gaps, made where they are shown (graphapp.wording).
    app.jinja_env.globals.update(
        reasons=wording.reasons,
        why_empty=wording.note,
        gap_detail=wording.gap_detail,
        gap_act=wording.gap_act,
        gap_kind=wording.gap_kind,
        gap_name=wording.gap_name,
        severity=wording.severity,
    )
    _register_errors(app)  # (after api.init_app: these replace flask-smorest's handler of HTTP errors)

    @app.after_request
    def security_headers(response: Any) -> Any:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    if warm_up:
        from graphapp import warmup

        warmup.start(app)
    return app


def _register_errors(app: Flask) -> None:
    """Errors as JSON under /api/, as a page elsewhere: a bad parameter is 400, a database that is down 503."""
    from graphapp import i18n
    from graphapp.params import BadRequest
    from graphapp.store import StoreUnavailable, TransactionTooLarge  # (a locked embedded file is one too)

    #: What an error page says when the error itself says nothing more than werkzeug's default words.
    GENERIC_ERRORS = {
        400: i18n._l("The request cannot be answered: something in it is not as expected."),
        401: i18n._l("Sign in first."),
        403: i18n._l("Your account may not open this page."),
        404: i18n._l("There is no such page here. Check the address, or start again from the home page."),
        405: i18n._l("This page cannot be used that way."),
        500: i18n._l(
            "Something went wrong on the server. Try again; if it happens again, tell an administrator."
        ),
    }

    def respond(status: int, message: str, template: str = "pages/error.html", for_people: str = "") -> Any:
        """JSON in English under /api/; elsewhere a page, with ``for_people`` (the reader's language, no
        commands or settings) instead of the operator's ``message`` when given (the log keeps that)."""
        if request.path.startswith("/api/"):
            return jsonify({"error": {"status": status, "message": message}}), status
        if for_people and status >= 500:
            app.logger.warning("%s: %s", request.path, message)
        return render_template(template, status=status, message=for_people or message), status

    def store_words(e: Exception) -> str:
        """What a page tells a person of a database that cannot answer, in their language."""
        from graphapp.i18n import _
        from graphapp.store import StoreLocked

        words: str
        if isinstance(e, TransactionTooLarge):
            if e.wrote:
                words = _("The database has not the memory this change needs; nothing was written.")
            else:
                words = _("The database has not the memory to answer this now.")
        elif isinstance(e, StoreLocked):
            words = _(
                "The database is in use by another program, which must stop before graphapp can open it."
            )
        else:
            words = _("graphapp cannot reach its database just now.")
        return words

    @app.errorhandler(BadRequest)
    def bad_request(e: BadRequest) -> Any:
        return respond(400, str(e))

    @app.errorhandler(StoreUnavailable)
    def unavailable(e: Exception) -> Any:
        return respond(503, str(e), "pages/unavailable.html", store_words(e))

    @app.errorhandler(TransactionTooLarge)
    def too_large_for_memory(e: Exception) -> Any:
        return respond(503, str(e), "pages/too_large.html", store_words(e))

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(e: RequestEntityTooLarge) -> Any:
        limit = app.config["GRAPHAPP_MAX_UPLOAD_MB"]
        return respond(
            413, i18n._("The upload is larger than %(limit)s MiB; split it into smaller files.", limit=limit)
        )

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException) -> Any:
        said = e.description or e.name
        people = ""  # (a page says werkzeug's own words in plainer ones, in the reader's language)
        if said == type(e).description and e.code in GENERIC_ERRORS:
            people = str(GENERIC_ERRORS[e.code])
        body, status = respond(e.code or 500, said, for_people=people)
        # Keep what the exception says beyond its body, e.g. the Allow header of a 405.
        extra = [(k, v) for k, v in e.get_headers() if k.lower() != "content-type"]
        return body, status, extra
