"""Deploying graphapp (issue 17 §2 and §3), with real `graphapp serve` processes: a server that has just
started answers at once while it prepares its caches in the background, and says when they are ready;
several servers on one Neo4j, as behind a load balancer, each see at their next request what was changed
through another (see docs/deploying.md). The sign-in limit shared by two servers is in test_trust.py."""

from __future__ import annotations

import html
import re
import time
import urllib.request
from typing import Any

import pytest

from graphapp import create_app
from graphapp.queries.schema import graph_revision
from tests.helpers import PASSWORD
from tests.processes import Browser, _clean_env, graphapp, serving, started


def _health(url: str) -> dict[str, Any]:
    return Browser(url).json("/api/health")


def _until_ready(url: str, seconds: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        health = _health(url)
        if health["ready"] or time.monotonic() > deadline:
            return health
        time.sleep(0.1)


# --- §3: starting --------------------------------------------------------------------------------------


def test_a_test_app_prepares_nothing_ahead_and_says_so(client, store) -> None:
    body = client.get("/api/health").get_json()
    assert body["caches"] == "off" and body["ready"] is True and body["cache_states"] == {}


@pytest.mark.parametrize("backend", ["ladybug"], indirect=True)
def test_an_app_made_to_be_served_prepares_what_the_first_pages_read(backend, store_config) -> None:
    from graphapp.db import get_store
    from graphapp.demo import DEMO_FILES
    from graphapp.ingest import import_files

    made = create_app({"TESTING": True, **store_config})
    with made.app_context():
        import_files(get_store(), DEMO_FILES)
    app = create_app({"TESTING": True, **store_config, "GRAPHAPP_WARM_UP": "1"}, warm_up=True)
    client = app.test_client()
    health = _until_ready_in(client)
    assert health["caches"] == "ready" and health["ready"] is True
    assert health["cache_states"] == {
        "interest-index": "ready",
        "coverage-report": "ready",
        "directory-and-map": "ready",
        "templates": "ready",
    }
    assert set(health["cache_seconds"]) == {
        "interest-index",
        "coverage-report",
        "directory-and-map",
        "templates",
    }
    with app.app_context():
        store = get_store()
        now = store.read(graph_revision)
        kept = store.derived._items  # (what the first suggestion and the first coverage view will find)
        for item in (
            "interest-index",
            "coverage-report",
            "heat-map",
            "stale-coverage",
            "directory",
            "choice-lists",
            "network-people",
            ("network-map", "organisation"),
        ):
            assert item in kept, item
            revision = kept[item][0]
            assert (revision[0] if isinstance(revision, tuple) else revision) == now, item
    compiled = {name for _, name in app.jinja_env.cache}  # (the first pages do not wait for Jinja)
    assert {"pages/coverage.html", "pages/member.html", "base.html"} <= compiled

    off = create_app({"TESTING": True, **store_config, "GRAPHAPP_WARM_UP": "0"}, warm_up=True)
    assert off.test_client().get("/api/health").get_json()["caches"] == "off"


def _until_ready_in(client: Any) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        health: dict[str, Any] = client.get("/api/health").get_json()
        if health["ready"] or time.monotonic() > deadline:
            return health
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["ladybug"], indirect=True)
def test_a_fresh_server_answers_at_once_while_it_warms_up(backend, store_config, tmp_path) -> None:
    env = {**_clean_env(), **store_config, "GRAPHAPP_PUBLIC": "1"}
    made = graphapp(env, "synthetic", "10000", "-o", str(tmp_path / "data"))
    assert made.returncode == 0, made.stderr
    files = sorted(str(p) for p in (tmp_path / "data").glob("*.csv"))
    imported = graphapp(env, "import", *files)
    assert imported.returncode == 0, imported.stderr
    with started(env, tmp_path / "serve.log") as (url, listening):
        with urllib.request.urlopen(url, timeout=10) as first:  # noqa: S310 (loopback)
            page = first.read().decode()
        answered = time.monotonic() - listening
        health = _health(url)  # just after the first page: still preparing
        seen = [health["caches"]]
        while seen[-1] == "warming" and time.monotonic() - listening < 120:
            time.sleep(0.05)
            seen.append(_health(url)["caches"])
        final = _health(url)
    assert "<strong>10,000</strong> members" in page
    assert answered < 1.0, f"the first page took {answered:.2f} s after the server began listening"
    assert health["caches"] == "warming" and health["ready"] is False, health
    assert seen[-1] == "ready" and set(seen) == {"warming", "ready"}, seen
    assert final["ready"] is True and set(final["cache_states"].values()) == {"ready"}


# --- §2: several servers on one Neo4j ---------------------------------------------------------------------


def _account(env: dict[str, str], login: str, *options: str) -> None:
    made = graphapp(env, "account", "create", login, *options, "--password-stdin", stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr


def _edit_form(page: str) -> dict[str, Any]:
    """The profile form as its page fills it in."""
    fields = dict(re.findall(r'<input (?:type="hidden" )?name="(\w+)" value="([^"]*)"', page))
    fields.update(re.findall(r'<input id="\w+" name="(\w+)"(?: type="\w+")? value="([^"]*)"', page))
    found = re.search(r'<textarea id="topics" name="topics"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, "no topics on the edit page"
    fields["topics"] = found.group(1)
    form: dict[str, Any] = {k: html.unescape(v) for k, v in fields.items() if k != "csrf_token"}
    form["workstreams"] = re.findall(r'name="workstreams" value="([^"]+)" checked', page)
    return form


def _suggested(browser: Browser, member: str, mode: str = "all") -> list[dict[str, Any]]:
    return list(browser.json(f"/api/members/{member}/suggestions?mode={mode}&limit=20")["suggestions"])


def _gap_kinds(browser: Browser, topic: str) -> set[str]:
    return {g["kind"] for g in browser.json("/api/gaps")["gaps"] if g["subject"] == topic}


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["neo4j"], indirect=True)
def test_two_servers_on_one_neo4j_each_see_what_was_changed_through_the_other(
    backend, store_config, store, tmp_path
) -> None:
    env = {**_clean_env(), **store_config}
    assert graphapp(env, "demo").returncode == 0
    ana = store.read(lambda tx: tx.run("MATCH (m:Member) RETURN m.id AS id ORDER BY m.id LIMIT 1"))[0]["id"]
    _account(env, "ana@example.org", "--member", ana)
    _account(env, "coordinator@example.org", "--role", "coordinator")
    with serving(env, tmp_path / "one.log") as one, serving(env, tmp_path / "two.log") as two:
        assert _until_ready(one)["ready"] and _until_ready(two)["ready"]  # (both hold the caches now)
        # Ana signs in once; her session cookie is good at either server (as behind a load balancer
        # without sticky sessions: both have the same secret key).
        at_one = Browser(one)
        assert at_one.sign_in("ana@example.org", PASSWORD)[0] == 302
        at_two = at_one.at(two)
        coordinator = Browser(two)
        assert coordinator.sign_in("coordinator@example.org", PASSWORD)[0] == 302

        # Suggestions and the coverage report, after a profile edit made through the other server.
        assert "topic-without-expert" in _gap_kinds(coordinator, "explainability")
        before = _suggested(at_two, ana, "mentees")
        assert not any(t["topic"] == "explainability" for s in before for t in s["shared_topics"])
        form = _edit_form(at_one.request(f"/members/{ana}/edit")[1])
        form["topics"] = "explainability:expert; " + form["topics"]
        assert at_one.post(f"/members/{ana}/edit", form, form_page=f"/members/{ana}/edit")[0] == 302
        after = _suggested(at_two, ana, "mentees")
        assert any(
            t["topic"] == "explainability" and t["theirs"] == "learning"
            for s in after
            for t in s["shared_topics"]
        ), after
        assert after == _suggested(at_one, ana, "mentees")  # (both servers say the same)
        assert "topic-without-expert" not in _gap_kinds(coordinator, "explainability")

        # Consent: a member who withdraws through one server is neither suggested nor shown by the other.
        top = _suggested(at_two, ana)[0]["id"]
        assert at_two.json(f"/api/members/{top}").get("email"), "a member's email is shown to members"
        _account(env, "top@example.org", "--member", top)
        them = Browser(one)
        assert them.sign_in("top@example.org", PASSWORD)[0] == 302
        choices = {"email_visibility": "nobody", "suggestible": "no"}
        assert them.post("/me/consent", choices, form_page="/me")[0] == 302
        assert top not in {s["id"] for s in _suggested(at_two, ana)}
        assert not at_two.json(f"/api/members/{top}").get("email")
        assert top not in {s["id"] for s in _suggested(at_one, ana)}


def test_people_signing_in_at_once_from_one_address_leave_it_no_failures(store) -> None:
    """Many people behind one address (an office, a proxy) signing in at the same moment, each with the
    right password: every success takes its own attempt off the address's count, none lost to another's
    (on Neo4j each took the address's lock only to count, not to uncount, so two successes at once could
    each write back the list the other had just changed, and the address kept "failures" nobody made:
    the load benchmark's sign-ins were then refused with 429 "Too many failed attempts")."""
    import threading
    from concurrent.futures import ThreadPoolExecutor
    from datetime import UTC, datetime, timedelta

    from graphapp.accounts import SignInLimit
    from graphapp.queries.accounts import ATTEMPTS, attempt_keys

    limit = SignInLimit(limit=50, window=300)
    office, people = "192.0.2.40", 8
    start = datetime.now(UTC)
    together = threading.Barrier(people)

    def sign_in(i: int) -> int:
        at = start + timedelta(microseconds=i)
        waited = limit.wait(store, attempt_keys(office, f"person{i}@example.org"), at)
        together.wait(timeout=60)  # (all counted; now all succeed at once)
        limit.signed_in(store, office, f"person{i}@example.org", at)
        return waited

    for _ in range(3):
        with ThreadPoolExecutor(max_workers=people) as pool:
            assert list(pool.map(sign_in, range(people))) == [0] * people
        left = store.read(lambda tx: tx.run(ATTEMPTS, ids=[f"ip:{office}"]))
        assert [row["failures"] for row in left] in ([], [[]]), left
