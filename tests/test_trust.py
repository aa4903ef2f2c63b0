"""Trust (issue 5), the parts in place so far: security headers on every answer, a health check that asks
the database, and a production mode that refuses an unsafe configuration."""

from __future__ import annotations

import pytest

from graphapp import DEFAULT_SECRET_KEY, SECURITY_HEADERS, InsecureConfiguration, create_app
from graphapp.demo import DEMO_FILES


@pytest.fixture
def demo(app):
    from graphapp.db import get_store
    from graphapp.ingest import import_files

    with app.app_context():
        import_files(get_store(), DEMO_FILES[:3])


@pytest.mark.parametrize(
    "url", ["/", "/members", "/explore", "/api/summary", "/api/nothing", "/vendor/vis-network.min.css"]
)
def test_every_answer_carries_the_security_headers(client, demo, url) -> None:
    with client.get(url) as response:
        headers = response.headers
    for name, value in SECURITY_HEADERS.items():
        assert headers[name] == value, (url, name)
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp


def test_pages_have_no_inline_script(client, demo) -> None:
    """The CSP allows no inline script, so the pages must not need any: the explorer's data is JSON."""
    import re

    for url in ("/", "/members", "/explore", "/coverage", "/topics"):
        page = client.get(url).get_data(as_text=True)
        for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S):
            assert "src=" in attrs or 'type="application/json"' in attrs, (url, attrs)
            assert "src=" not in attrs or not body.strip()
        assert not re.search(r"\son[a-z]+\s*=", page), url  # no inline event handlers either


def test_health_asks_the_database(client, store) -> None:
    body = client.get("/api/health").get_json()
    assert body["status"] == "ok" and body["schema_version"] >= 1


def test_production_refuses_the_default_or_a_short_secret(monkeypatch) -> None:
    with pytest.raises(InsecureConfiguration, match="GRAPHAPP_SECRET_KEY"):
        create_app({"GRAPHAPP_ENV": "production"})
    with pytest.raises(InsecureConfiguration):
        create_app({"GRAPHAPP_ENV": "production", "SECRET_KEY": "short"})
    app = create_app({"GRAPHAPP_ENV": "production", "SECRET_KEY": "x" * 48})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SECRET_KEY"] != DEFAULT_SECRET_KEY


def test_serve_will_not_start_in_production_with_the_default_secret(runner, monkeypatch) -> None:
    monkeypatch.setenv("GRAPHAPP_ENV", "production")
    monkeypatch.delenv("GRAPHAPP_SECRET_KEY", raising=False)
    result = runner.invoke("serve", "--port", "1")
    assert result.exit_code == 1
    assert "GRAPHAPP_ENV=production needs GRAPHAPP_SECRET_KEY" in result.output


def test_never_the_debugger(monkeypatch) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert create_app().debug is False
