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
    with pytest.raises(
        InsecureConfiguration, match="GRAPHAPP_BASE_URL"
    ):  # (mail links: never a request's Host)
        create_app({"GRAPHAPP_ENV": "production", "SECRET_KEY": "x" * 48})
    app = create_app(
        {
            "GRAPHAPP_ENV": "production",
            "SECRET_KEY": "x" * 48,
            "GRAPHAPP_BASE_URL": "https://graphapp.example.org",
        }
    )
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


# --- The sign-in limit, kept in the graph --------------------------------------------------------------


def test_failed_sign_ins_are_counted_in_the_graph_within_their_window(store) -> None:
    from datetime import UTC, datetime, timedelta

    from graphapp.accounts import SignInLimit
    from graphapp.queries.schema import graph_revision

    limit = SignInLimit(limit=3, window=300)
    keys = ["ip:192.0.2.1", "login:ana@example.org"]
    t0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    revision = store.read(graph_revision)
    assert [limit.wait(store, keys, t0 + timedelta(seconds=i)) for i in range(4)] == [0, 0, 0, 297]
    assert limit.wait(store, ["login:ana@example.org"], t0 + timedelta(seconds=60)) == 240  # either key
    assert limit.wait(store, ["ip:192.0.2.2", "login:bo@example.org"], t0) == 0  # other keys: not
    assert limit.wait(store, keys, t0 + timedelta(seconds=300)) == 0  # the first failure has aged
    limit.forget(store, keys)  # a sign-in that succeeded
    assert [limit.wait(store, keys, t0 + timedelta(seconds=301 + i)) for i in range(3)] == [0, 0, 0]
    assert store.read(graph_revision) == revision  # bookkeeping: nothing derived from the graph is rebuilt


def test_a_longer_limit_keeps_its_count_while_sign_ins_come_and_go(store) -> None:
    """Sign-in (5 minutes) tidies the keys it has not seen for its window; the hour-long limits on asking to
    join share the same nodes and must keep their counts through that."""
    from datetime import UTC, datetime, timedelta

    from graphapp.accounts import SignInLimit

    hourly, sign_in = SignInLimit(limit=2, window=3600), SignInLimit(limit=5, window=300)
    join_keys = ["join-ip:192.0.2.9"]
    t0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert [hourly.wait(store, join_keys, t0 + timedelta(seconds=i)) for i in range(2)] == [0, 0]
    later = t0 + timedelta(minutes=20)
    assert sign_in.wait(store, ["ip:192.0.2.1", "login:ana@example.org"], later) == 0  # tidies its kinds
    assert hourly.wait(store, join_keys, later) == 40 * 60  # still full: the first ages out at 13:00


def test_a_sign_in_that_succeeds_clears_only_its_own_attempt_from_a_shared_address(store) -> None:
    """Behind one proxy many people share an address: one of them signing in must not wipe the failures
    others (or someone guessing) piled up from it, and the one who signed in starts afresh."""
    from datetime import UTC, datetime, timedelta

    from graphapp.accounts import SignInLimit
    from graphapp.queries.accounts import attempt_keys

    limit = SignInLimit(limit=3, window=300)
    t0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    office = "192.0.2.9"
    for i in range(2):  # someone fails twice from the office
        assert limit.wait(store, attempt_keys(office, "guess@example.org"), t0 + timedelta(seconds=i)) == 0
    ana_at = t0 + timedelta(seconds=10)
    assert limit.wait(store, attempt_keys(office, "ana@example.org"), ana_at) == 0
    limit.signed_in(store, office, "ana@example.org", ana_at)
    # The office still holds the two failures: one more, and the address is blocked.
    assert limit.wait(store, attempt_keys(office, "guess@example.org"), t0 + timedelta(seconds=20)) == 0
    assert limit.wait(store, attempt_keys(office, "bo@example.org"), t0 + timedelta(seconds=21)) > 0
    # Ana's own login has no failures left against it.
    assert limit.wait(store, attempt_keys("198.51.100.7", "ana@example.org"), t0 + timedelta(seconds=22)) == 0


def test_sign_ins_sent_side_by_side_are_all_counted(store) -> None:
    """Attempts in parallel cannot slip past the limit: each is counted before its password is checked."""
    from concurrent.futures import ThreadPoolExecutor

    from graphapp.accounts import SignInLimit

    limit = SignInLimit(limit=5, window=300)
    keys = ["ip:192.0.2.1", "login:ana@example.org"]
    with ThreadPoolExecutor(max_workers=6) as pool:
        waits = list(pool.map(lambda _: limit.wait(store, keys), range(14)))
    assert waits.count(0) == 5 and all(w > 0 for w in waits if w)


@pytest.fixture
def served_env(store_config, tmp_path) -> dict[str, str]:
    """The environment of `graphapp serve` processes on this test's store, with one member account."""
    from tests.helpers import PASSWORD
    from tests.processes import _clean_env, graphapp

    env = {**_clean_env(), **store_config}
    made = graphapp(env, "account", "create", "ana@example.org", "--password-stdin", stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    return env


@pytest.mark.parametrize("backend", ["neo4j"], indirect=True)
def test_two_processes_on_one_neo4j_share_the_sign_in_limit(backend, served_env, tmp_path) -> None:
    from tests.helpers import PASSWORD
    from tests.processes import Browser, serving

    with serving(served_env, tmp_path / "one.log") as one, serving(served_env, tmp_path / "two.log") as two:
        for _ in range(5):
            assert Browser(one).sign_in("ana@example.org", "wrong password")[0] == 401
        status, page = Browser(two).sign_in("ana@example.org", PASSWORD)
        assert (
            status == 429 and "Too many failed attempts. Try again in 5 minutes." in page
        )  # (a plural, not "(s)")
        assert Browser(one).sign_in("ana@example.org", PASSWORD)[0] == 429


@pytest.mark.parametrize("backend", ["neo4j"], indirect=True)
def test_attempts_sent_at_once_to_two_processes_are_all_counted(backend, served_env, tmp_path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from tests.processes import Browser, serving

    with (
        serving(served_env, tmp_path / "one.log") as one,
        serving(served_env, tmp_path / "two.log") as two,
        ThreadPoolExecutor(max_workers=8) as pool,
    ):
        answers = list(
            pool.map(lambda i: Browser((one, two)[i % 2]).sign_in("ana@example.org", "wrong")[0], range(12))
        )
    assert sorted(answers) == [401] * 5 + [429] * 7


@pytest.mark.parametrize("backend", ["ladybug"], indirect=True)
def test_the_sign_in_limit_survives_a_restart(backend, served_env, tmp_path) -> None:
    from tests.helpers import PASSWORD
    from tests.processes import Browser, serving

    with serving(served_env, tmp_path / "before.log") as url:
        for _ in range(5):
            assert Browser(url).sign_in("ana@example.org", "wrong password")[0] == 401
    with serving(served_env, tmp_path / "after.log") as url:
        status, page = Browser(url).sign_in("ana@example.org", PASSWORD)
        assert status == 429 and "Too many failed attempts" in page


@pytest.mark.parametrize("backend", ["ladybug"], indirect=True)
def test_behind_a_proxy_each_address_has_its_own_count_and_without_one_the_header_is_ignored(
    backend, served_env, tmp_path
) -> None:
    """`graphapp serve` with GRAPHAPP_PROXIES=1: the address is the proxy's X-Forwarded-For, so five
    failures from one person do not lock out everyone behind the load balancer (waitress removed the header
    before it reached the app, until issue 17's load run found every sign-in counted against 127.0.0.1).
    Without a proxy the header is a client's claim, and is ignored."""
    from tests.helpers import PASSWORD
    from tests.processes import Browser, graphapp, serving

    made = graphapp(
        served_env, "account", "create", "bo@example.org", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert made.returncode == 0, made.stderr

    def at(url: str, address: str) -> Browser:
        return Browser(url, headers={"X-Forwarded-For": address})

    with serving({**served_env, "GRAPHAPP_PROXIES": "1"}, tmp_path / "proxied.log") as url:
        for _ in range(5):
            assert at(url, "203.0.113.1").sign_in("ana@example.org", "wrong password")[0] == 401
        assert at(url, "203.0.113.1").sign_in("bo@example.org", PASSWORD)[0] == 429  # (that address)
        assert at(url, "203.0.113.2").sign_in("bo@example.org", PASSWORD)[0] == 302  # (another one)
    with serving({**served_env, "GRAPHAPP_PROXIES": "0"}, tmp_path / "direct.log") as url:
        for i in range(5):
            assert at(url, f"198.51.100.{i}").sign_in("bo@example.org", "wrong password")[0] == 401
        assert at(url, "198.51.100.99").sign_in("ana@example.org", PASSWORD)[0] == 429


def test_forgetting_an_account_forgets_the_failed_sign_ins_of_its_login(store) -> None:
    from graphapp.accounts import SignInLimit
    from graphapp.queries.accounts import attempt_keys, delete_account

    SignInLimit().wait(store, attempt_keys("192.0.2.1", "ana@example.org"))
    store.write(delete_account, "ana@example.org")
    kept = store.read(lambda tx: tx.run("MATCH (a:LoginAttempt) RETURN a.id AS id"))
    assert kept == [{"id": "ip:192.0.2.1"}]  # (the address's count is not the person's)


def test_a_forged_host_never_reaches_a_mail(monkeypatch, tmp_path) -> None:
    """With GRAPHAPP_BASE_URL set (as production requires), a mail's links are on it, whatever Host a
    request names: a member cannot put another site's address (and a link's token) in someone's mail."""
    from graphapp.db import get_store
    from graphapp.mail import queue_mail

    app = create_app(
        {
            "TESTING": True,
            "GRAPHAPP_DB": str(tmp_path / "g.lbug"),
            "GRAPHAPP_BASE_URL": "https://graphapp.example.org",
        }
    )
    with app.test_request_context("/", base_url="http://evil.example"), app.app_context():
        store = get_store()
        store.write(lambda tx: tx.run("CREATE (:Member {id: 'm-1', name: 'Ana', email: 'ana@example.org'})"))
        store.write(queue_mail, "introduction_request", "ana@example.org", "Hello", "Body", "m-1")
        (text,) = [r["t"] for r in store.read(lambda tx: tx.run("MATCH (x:Mail) RETURN x.text AS t"))]
    assert "https://graphapp.example.org/mail/preferences/" in text and "evil.example" not in text
