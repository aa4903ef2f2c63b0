"""Asking to join, on both stores: the form's checks, the honeypot and the limits, the mailed confirmation
link, expiry, possible duplicates, a coordinator's approval (everything in one transaction) or decline,
the invitation in the approval mail, and the trusted domains.

The mails are read as a person gets them: from the queue (``Mail`` nodes) as queued by the action, and,
for the whole path, from a real SMTP server on loopback (tests/smtp.py) after delivery; their links are
followed with the test client.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest

from graphapp.accounts import SignInLimit
from graphapp.db import get_store
from graphapp.joining import JoinLimits, approve_request, new_token, now_iso
from graphapp.mail import mail_day
from graphapp.queries.joining import requests_with_status
from graphapp.queries.schema import NODES, RELATIONSHIPS
from tests.helpers import PASSWORD, csrf_token, graph, signed_in

pytestmark = pytest.mark.usefixtures("demo_app")


def _run(app: Any, statement: str, **params: Any) -> list[dict[str, Any]]:
    with app.app_context():
        return get_store().bookkeep(lambda tx: tx.run(statement, **params))


def mails(app: Any, kind: str | None = None) -> list[dict[str, Any]]:
    """The queued mails (oldest first), as a person would read them: to, kind, subject, text."""
    rows = _run(
        app,
        "MATCH (x:Mail) RETURN x.recipient AS to, x.kind AS kind, x.subject AS subject, x.text AS text, "
        "x.created AS created ORDER BY x.created",
    )
    return [r for r in rows if kind is None or r["kind"] == kind]


def link_in(text: str, path: str) -> str:
    """The path (and query) of the first link in ``text`` whose path starts with ``path``."""
    for url in re.findall(r"https?://\S+", text):
        if urlsplit(url).path.startswith(path):
            return urlsplit(url).path
    raise AssertionError(f"no link to {path} in:\n{text}")


def requests(app: Any) -> list[dict[str, Any]]:
    return _run(app, "MATCH (r:JoinRequest) RETURN r.id AS id, r.status AS status, r.email AS email")


@pytest.fixture
def catalog(app: Any) -> dict[str, Any]:
    from graphapp.joining import form_catalog

    with app.app_context():
        return get_store().read(form_catalog)


def valid_form(catalog: dict[str, Any], **changes: Any) -> dict[str, Any]:
    topics = catalog["topics"]
    form: dict[str, Any] = {
        "name": "Ana Joiner",
        "email": "ana.joiner@stat.example.org",
        "organisation": catalog["organisations"][0]["id"],
        "new_organisation": "",
        "country": "Netherlands",
        "title": "Head of data science",
        "topic": [topics[0]["id"], topics[1]["id"]],
        f"level-{topics[0]['id']}": "expert",
        f"level-{topics[1]['id']}": "learning",
        "workstream": [catalog["workstreams"][0]["id"]],
        "issue_kind": "technical",
        "issue_text": "How do others link census and tax records?",
        "issue_topic": [topics[0]["id"]],
        "email_visibility": "coordinators",
        "suggestible": "no",
        "introductions": "no",
        "website": "",
    }
    form.update(changes)
    return form


def ask(client: Any, form: dict[str, Any], address: str = "192.0.2.10") -> Any:
    token = csrf_token(client, "/join")
    return client.post("/join", data={"csrf_token": token, **form}, environ_base={"REMOTE_ADDR": address})


def confirmed(app: Any, client: Any, form: dict[str, Any]) -> str:
    """Ask with ``form`` and follow the mailed link; the request's id."""
    assert ask(client, form).status_code == 302
    (mail,) = [m for m in mails(app, "join_confirm") if m["to"] == form["email"].lower()][-1:]
    page = client.get(link_in(mail["text"], "/join/confirm/"))
    assert page.status_code == 200, page.get_data(as_text=True)
    (found,) = [r for r in requests(app) if r["email"] == form["email"].lower()]
    return str(found["id"])


# --- The form ---------------------------------------------------------------------------------------------


def test_the_form_is_public_and_linked_from_the_sign_in_page(anonymous) -> None:
    assert 'href="/join"' in anonymous.get("/login").get_data(as_text=True)
    page = anonymous.get("/join")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for field in (
        'name="name"',
        'name="email"',
        'name="organisation"',
        'name="new_organisation"',
        'name="country"',
        'name="title"',
        'name="topic"',
        'name="workstream"',
        'name="issue_kind"',
        'name="issue_text"',
        'name="issue_topic"',
        'name="email_visibility"',
        'name="suggestible"',
        'name="introductions"',
    ):
        assert field in text, field
    assert "<script>" not in text and "http://" not in text.replace("http://localhost", "")  # offline


def test_each_problem_is_named_and_what_was_typed_is_kept(app, anonymous, catalog) -> None:
    form = valid_form(
        catalog,
        name="",
        email="ana@",
        organisation="",
        new_organisation="",
        country="Atlantis",
        topic=[],
        title="Chief <Scientist>",
        issue_kind="",
        issue_text="Record linkage & privacy",
        email_visibility="everyone",
    )
    response = ask(anonymous, form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for words in (
        "Name</a> is empty",
        "Email</a> is not an email address",
        "Organisation</a> is empty",
        "Country</a> is not a country",
        "Topics</a> need at least one: tick a topic you work on",
        "Kind of issue</a> say what kind of issue it is",
        "Who sees my email</a> must be one of members, coordinators, nobody",
    ):
        assert words in page, words
    assert 'value="ana@"' in page and 'value="Atlantis"' in page
    assert 'value="Chief &lt;Scientist&gt;"' in page  # kept, as text
    assert "Record linkage &amp; privacy</textarea>" in page
    assert requests(app) == [] and mails(app) == []  # nothing stored, nothing mailed


def test_a_picked_topic_keeps_its_level_and_unknown_choices_are_refused(app, anonymous, catalog) -> None:
    t0 = catalog["topics"][0]["id"]
    form = valid_form(catalog, email="", workstream=["WS-NOPE"])
    page = ask(anonymous, form).get_data(as_text=True)
    assert "Workstreams</a> pick workstreams from the list only" in page
    picked = re.search(rf'<input type="checkbox" id="topic-{t0}" name="topic" value="{t0}" checked>', page)
    assert picked
    level = re.search(rf'<select name="level-{t0}"[^>]*>(.*?)</select>', page, re.S)
    assert level and '<option value="expert" selected>expert</option>' in level.group(1)
    form = valid_form(catalog, topic=["a-new-topic"], **{"level-a-new-topic": "expert"})
    assert "a new topic cannot be proposed here" in ask(anonymous, form).get_data(as_text=True)
    form = valid_form(catalog, **{f"level-{t0}": "guru"})
    assert "pick a level for each topic" in ask(anonymous, form).get_data(as_text=True)
    assert requests(app) == []


@pytest.mark.parametrize(
    ("field", "size", "label"),
    [
        ("name", 201, "Name"),
        ("email", 255, "Email"),
        ("title", 201, "Title"),
        ("new_organisation", 201, "New organisation"),
        ("issue_text", 2001, "Issue"),
        ("country", 101, "Country"),
    ],
)
def test_every_field_has_a_size_limit(app, anonymous, catalog, field, size, label) -> None:
    value = ("x" * (size - len("@example.org")) + "@example.org") if field == "email" else "x" * size
    changes: dict[str, Any] = {field: value}
    if field == "new_organisation":
        changes["organisation"] = ""
    response = ask(anonymous, valid_form(catalog, **changes))
    assert response.status_code == 400
    assert f"{label}</a> is too long: at most {size - 1} characters" in response.get_data(as_text=True)
    assert requests(app) == []


def test_too_many_topics_are_refused(app, anonymous, catalog, monkeypatch) -> None:
    monkeypatch.setitem(__import__("graphapp.joining").joining.LIMITS, "topics", 1)
    page = ask(anonymous, valid_form(catalog)).get_data(as_text=True)
    assert "Topics</a> has too many: at most 1." in page


def test_a_bot_that_fills_the_hidden_field_is_thanked_and_nothing_is_kept(app, anonymous, catalog) -> None:
    page = anonymous.get("/join").get_data(as_text=True)
    assert re.search(r'<div class="hp" aria-hidden="true">.*?name="website" tabindex="-1"', page)
    response = ask(anonymous, valid_form(catalog, website="https://spam.example.org"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/join/sent")
    assert "check your mail" in anonymous.get("/join/sent").get_data(as_text=True)
    assert requests(app) == [] and mails(app) == []


# --- Limits -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("what", "addresses", "emails", "says"),
    [
        (
            "email",
            ["192.0.2.1", "198.51.100.1", "203.0.113.1"],
            ["same@example.org"] * 3,
            "this email address",
        ),
        ("address", ["192.0.2.7"] * 3, ["a@example.org", "b@example.org", "c@example.org"], "your address"),
        (
            "network",
            ["192.0.2.1", "192.0.2.2", "192.0.2.3"],
            ["a@example.org", "b@example.org", "c@example.org"],
            "your network",
        ),
        (
            "network",
            ["2001:db8:5:1::1", "2001:db8:5:2::1", "2001:db8:5:3::1"],
            ["a@example.org", "b@example.org", "c@example.org"],
            "your network",
        ),
    ],
)
def test_requests_are_limited_per_email_address_and_network(
    app, anonymous, catalog, monkeypatch, what, addresses, emails, says
) -> None:
    small = {"per_address": 99, "per_network": 99, "per_email": 99, f"per_{what}": 2}
    limits = JoinLimits(**{k: SignInLimit(limit=v, window=3600) for k, v in small.items()})
    monkeypatch.setattr("graphapp.pages.join.JOIN_LIMITS", limits)
    answers = [
        ask(anonymous, valid_form(catalog, email=e), address=a)
        for e, a in zip(emails, addresses, strict=True)
    ]
    assert [r.status_code for r in answers] == [302, 302, 429]
    page = answers[-1].get_data(as_text=True)
    assert says in page and "Try again in" in page
    assert 'value="Ana Joiner"' in page  # kept what was typed
    assert len(requests(app)) == 2 and len(mails(app, "join_confirm")) == 2


def test_the_limits_are_counted_in_the_graph_under_their_own_keys(app, anonymous, catalog) -> None:
    ask(anonymous, valid_form(catalog), address="192.0.2.44")
    keys = {r["id"] for r in _run(app, "MATCH (a:LoginAttempt) RETURN a.id AS id")}
    assert keys == {"join-ip:192.0.2.44", "join-net:192.0.2.0/24", "join-email:ana.joiner@stat.example.org"}


# --- Confirming by the mailed link, expiry ----------------------------------------------------------------


def test_the_address_is_confirmed_by_the_mailed_link(app, anonymous, catalog) -> None:
    response = ask(anonymous, valid_form(catalog))
    assert response.status_code == 302
    (request,) = requests(app)
    assert request["status"] == "unconfirmed"
    coordinator = signed_in(app, "co@example.org", "coordinator")
    assert "No request is waiting" in coordinator.get("/join/requests").get_data(as_text=True)
    (mail,) = mails(app)
    assert mail["to"] == "ana.joiner@stat.example.org" and mail["kind"] == "join_confirm"
    token = link_in(mail["text"], "/join/confirm/").rsplit("/", 1)[1]
    stored = _run(app, "MATCH (r:JoinRequest) RETURN r.token_hash AS h")[0]["h"]
    assert token not in stored and len(stored) == 64  # only its SHA-256 is kept
    page = anonymous.get(f"/join/confirm/{token}").get_data(as_text=True)
    assert "your address is confirmed" in page and "waits for a coordinator" in page
    assert requests(app)[0]["status"] == "confirmed"
    assert "Ana Joiner" in coordinator.get("/join/requests").get_data(as_text=True)
    again = anonymous.get(f"/join/confirm/{token}")
    assert again.status_code == 200 and "confirmed already" in again.get_data(as_text=True)
    assert anonymous.get("/join/confirm/not-a-token").status_code == 404


def test_unconfirmed_requests_expire(app, anonymous, catalog) -> None:
    app.config["GRAPHAPP_JOIN_DAYS"] = "2"
    ask(anonymous, valid_form(catalog))
    (row,) = _run(app, "MATCH (r:JoinRequest) RETURN r.created AS created, r.expires AS expires")
    assert row["expires"][:10] > row["created"][:10]
    # (the mail says by when, as a date: "by Jun 3, 2026")
    assert f"by {mail_day(row['expires'], 'en')}:" in mails(app)[0]["text"]
    _run(app, "MATCH (r:JoinRequest) SET r.expires = '2020-01-01T00:00:00+00:00'")
    link = link_in(mails(app)[0]["text"], "/join/confirm/")
    response = anonymous.get(link)
    assert response.status_code == 404 and "expired" in response.get_data(as_text=True)
    assert requests(app) == []  # dropped by the confirmation that came too late
    ask(anonymous, valid_form(catalog, email="bo@example.org"))
    _run(app, "MATCH (r:JoinRequest) SET r.expires = '2020-01-01T00:00:00+00:00'")
    ask(anonymous, valid_form(catalog, email="cy@example.org"), address="198.51.100.9")
    assert [r["email"] for r in requests(app)] == ["cy@example.org"]  # a new request drops the expired one


# --- The coordinators' queue ------------------------------------------------------------------------------


def test_a_coordinator_sees_the_queue_and_a_member_does_not(app, anonymous, catalog) -> None:
    confirmed(app, anonymous, valid_form(catalog))
    member = signed_in(app, "member@example.org", "member")
    assert member.get("/join/requests").status_code == 403
    coordinator = signed_in(app, "co@example.org", "coordinator")
    page = coordinator.get("/join/requests").get_data(as_text=True)
    topics = {t["id"]: t["name"] for t in catalog["topics"]}
    org = catalog["organisations"][0]
    for shown in (
        "Ana Joiner",
        "ana.joiner@stat.example.org",
        "Head of data science",
        "Netherlands",
        org["name"],
        topics[catalog["topics"][0]["id"]],
        "How do others link census and tax records?",
        "technical",
        "only the coordinators",
        "not to be suggested",
        "Approve Ana Joiner",
        "Reason for declining",
    ):
        assert shown in page, shown
    assert "Possibly already a member" not in page


def test_possible_duplicates_are_shown_with_links(app, anonymous, catalog) -> None:
    with app.app_context():
        people = get_store().read(
            lambda tx: tx.run(
                "MATCH (m:Member)-[:WORKS_AT]->(o:Organisation) RETURN m.id AS id, m.name AS name, "
                "m.email AS email, o.id AS org ORDER BY m.id LIMIT 2"
            )
        )
    first, second = people
    confirmed(app, anonymous, valid_form(catalog, email=first["email"].upper(), name="Someone Else"))
    # The same name in another case and without its accents, at the same organisation.
    twin = second["name"].upper().replace("É", "E").replace("Á", "A")
    confirmed(
        app, anonymous, valid_form(catalog, email="twin@example.org", name=twin, organisation=second["org"])
    )
    coordinator = signed_in(app, "co@example.org", "coordinator")
    page = coordinator.get("/join/requests").get_data(as_text=True)
    assert page.count("Possibly already a member") == 2
    assert f'href="/members/{first["id"]}">{first["name"]}</a> (the same email address)' in page
    assert (
        f'href="/members/{second["id"]}">{second["name"]}</a> (the same name at the same organisation)'
        in page
    )


# --- Approval ---------------------------------------------------------------------------------------------


def _approve(app: Any, coordinator: Any, request_id: str) -> Any:
    return coordinator.post(
        f"/join/requests/{request_id}/approve", data={"csrf_token": csrf_token(coordinator, "/join/requests")}
    )


def test_approval_creates_exactly_the_member_and_mails_a_working_invitation(app, anonymous, catalog) -> None:
    form = valid_form(catalog)
    request_id = confirmed(app, anonymous, form)
    before = graph(get_store_of(app))
    coordinator = signed_in(app, "co@example.org", "coordinator")
    response = _approve(app, coordinator, request_id)
    assert response.status_code == 302
    member = response.headers["Location"].rsplit("/", 1)[1]
    after = graph(get_store_of(app))
    # (the network's nodes: the request, its ask, invitation and mail are checked one by one below)
    new_nodes = {
        label: [n for n in nodes if n not in before["nodes"][label]]
        for label, nodes in after["nodes"].items()
        if label in NODES
    }
    new_rels = {
        t: [r for r in rels if r not in before["relationships"][t]]
        for t, rels in after["relationships"].items()
    }
    gone = {
        label: [n for n in nodes if n not in after["nodes"][label]]
        for label, nodes in before["nodes"].items()
        if label in NODES
    }
    assert not any(gone.values())
    (node,) = new_nodes.pop("Member")
    assert node == {
        "id": member,
        "name": "Ana Joiner",
        "email": "ana.joiner@stat.example.org",
        "title": "Head of data science",
        "country": "NLD",
        "region": "Europe",
        "subregion": "Western Europe",
        "email_visibility": "coordinators",
        "suggestible": "no",
        "introductions": "no",
        "joined": datetime.now(UTC).date().isoformat(),  # (the day the member was made: approved today)
    }
    assert not any(new_nodes.values())
    t0, t1 = catalog["topics"][0]["id"], catalog["topics"][1]["id"]
    assert new_rels == {
        "WORKS_AT": [{"source": member, "target": catalog["organisations"][0]["id"]}],
        "INTERESTED_IN": sorted(
            [
                {"source": member, "target": t0, "level": "expert"},
                {"source": member, "target": t1, "level": "learning"},
            ],
            key=lambda r: r["target"],
        ),
        "MEMBER_OF": [{"source": member, "target": catalog["workstreams"][0]["id"], "role": "member"}],
        "COVERS": [],
        "KNOWS": [],
        # The competence taxonomy and the journey (projects, themes, resources): untouched by a join.
        **{
            t: []
            for t in RELATIONSHIPS
            if t not in ("WORKS_AT", "INTERESTED_IN", "MEMBER_OF", "COVERS", "KNOWS")
        },
    }
    (open_ask,) = _run(
        app,
        "MATCH (a:Ask) RETURN a.member AS member, a.kind AS kind, a.text AS text, a.topics AS topics, "
        "a.status AS status",
    )
    assert open_ask == {
        "member": member,
        "kind": "technical",
        "text": form["issue_text"],
        "topics": [t0],
        "status": "open",
    }
    (invitation,) = _run(
        app, "MATCH (i:Invitation) RETURN i.role AS role, i.member AS member, i.created_by AS by"
    )
    assert invitation == {"role": "member", "member": member, "by": "co@example.org"}
    (decided,) = _run(app, "MATCH (r:JoinRequest) RETURN r.status AS s, r.member AS m, r.decided_by AS by")
    assert decided == {"s": "approved", "m": member, "by": "co@example.org"}
    assert "Ana Joiner" not in coordinator.get("/join/requests").get_data(as_text=True)
    assert _approve(app, coordinator, request_id).status_code == 409  # once only

    (mail,) = mails(app, "join_approved")
    assert mail["to"] == "ana.joiner@stat.example.org"
    newcomer = app.test_client()
    invite = link_in(mail["text"], "/invite/")
    page = newcomer.get(invite)
    assert page.status_code == 200
    assert "Welcome, Ana Joiner." in page.text  # (their name, never an id)
    assert 'value="ana.joiner@stat.example.org" autocomplete="username"' in page.text  # login offered
    made = newcomer.post(
        invite,
        data={
            "csrf_token": csrf_token(newcomer, invite),
            "login": "ana.joiner@stat.example.org",
            "password": PASSWORD,
            "again": PASSWORD,
        },
    )
    assert made.status_code == 302
    me = newcomer.get("/me").get_data(as_text=True)
    assert "Ana Joiner" in me and "ana.joiner@stat.example.org (member)" in me
    (account,) = _run(
        app, "MATCH (a:Account {id: 'ana.joiner@stat.example.org'}) RETURN a.member AS m, a.role AS r"
    )
    assert account == {"m": member, "r": "member"}


def get_store_of(app: Any) -> Any:
    with app.app_context():
        return get_store()


def test_a_failure_in_the_middle_of_an_approval_leaves_nothing(app, anonymous, catalog, monkeypatch) -> None:
    request_id = confirmed(
        app, anonymous, valid_form(catalog, new_organisation="A New Office", organisation="")
    )
    before = graph(get_store_of(app))
    mails_before = mails(app)

    def mail_server_of_the_queue_breaks(*args: Any, **kwargs: Any) -> bool:
        raise RuntimeError("the disk is full")  # (a fault that cannot be caused for real here)

    monkeypatch.setattr("graphapp.joining.queue_mail", mail_server_of_the_queue_breaks)
    with app.test_request_context("/join/requests"), pytest.raises(RuntimeError):
        get_store().write(approve_request, request_id, "co@example.org", new_token(), now_iso())
    assert graph(get_store_of(app)) == before  # no member, organisation, interests or workstreams
    assert _run(app, "MATCH (x:Ask) RETURN count(x) AS n") == [{"n": 0}]
    assert _run(app, "MATCH (x:Invitation) RETURN count(x) AS n") == [{"n": 0}]
    assert mails(app) == mails_before
    assert requests(app)[0]["status"] == "confirmed"  # still waiting
    monkeypatch.undo()
    coordinator = signed_in(app, "co@example.org", "coordinator")
    assert _approve(app, coordinator, request_id).status_code == 302  # and it can still be approved


def test_a_proposed_organisation_is_created_or_found(app, anonymous, catalog) -> None:
    existing = catalog["organisations"][1]
    a = confirmed(app, anonymous, valid_form(catalog, organisation="", new_organisation="Office of Examples"))
    b = confirmed(
        app,
        anonymous,
        valid_form(
            catalog, email="b@example.org", organisation="", new_organisation=f"  {existing['name'].upper()} "
        ),
    )
    coordinator = signed_in(app, "co@example.org", "coordinator")
    page = coordinator.get("/join/requests").get_data(as_text=True)
    assert 'Office of Examples <span class="kind">new: created on approval</span>' in page
    assert _approve(app, coordinator, a).status_code == 302
    assert _approve(app, coordinator, b).status_code == 302
    orgs = _run(
        app,
        "MATCH (m:Member)-[:WORKS_AT]->(o:Organisation) WHERE m.email IN ['ana.joiner@stat.example.org', "
        "'b@example.org'] RETURN m.email AS email, o.id AS id, o.name AS name, o.country AS country ORDER BY email",
    )
    assert orgs == [
        {
            "email": "ana.joiner@stat.example.org",
            "id": "office-of-examples",
            "name": "Office of Examples",
            "country": "NLD",
        },
        {
            "email": "b@example.org",
            "id": existing["id"],
            "name": existing["name"],
            "country": orgs[1]["country"],
        },
    ]


def test_approval_is_refused_for_an_address_that_is_already_a_member(app, anonymous, catalog) -> None:
    someone = _run(app, "MATCH (m:Member) WHERE m.email IS NOT NULL RETURN m.email AS e ORDER BY e LIMIT 1")[
        0
    ]["e"]
    request_id = confirmed(app, anonymous, valid_form(catalog, email=someone))
    coordinator = signed_in(app, "co@example.org", "coordinator")
    before = graph(get_store_of(app))
    response = _approve(app, coordinator, request_id)
    assert response.status_code == 409
    assert "is already a member with this email address" in response.get_data(as_text=True)
    assert graph(get_store_of(app)) == before


# --- Decline, trusted domains -----------------------------------------------------------------------------


def test_a_decline_mails_the_reason(app, anonymous, catalog) -> None:
    request_id = confirmed(app, anonymous, valid_form(catalog))
    coordinator = signed_in(app, "co@example.org", "coordinator")
    url = f"/join/requests/{request_id}/decline"
    empty = coordinator.post(
        url, data={"csrf_token": csrf_token(coordinator, "/join/requests"), "reason": " "}
    )
    assert empty.status_code == 400 and "Give a reason" in empty.get_data(as_text=True)
    too_long = coordinator.post(
        url, data={"csrf_token": csrf_token(coordinator, "/join/requests"), "reason": "y" * 2001}
    )
    assert too_long.status_code == 400 and "y" * 2001 + "</textarea>" in too_long.get_data(as_text=True)
    reason = "The network is for leaders of data science units; please ask your unit's head."
    response = coordinator.post(
        url, data={"csrf_token": csrf_token(coordinator, "/join/requests"), "reason": reason}
    )
    assert response.status_code == 302
    (mail,) = mails(app, "join_declined")
    assert mail["to"] == "ana.joiner@stat.example.org" and reason in mail["text"]
    assert _run(app, "MATCH (r:JoinRequest) RETURN r.status AS s, r.reason AS r") == [
        {"s": "declined", "r": reason}
    ]
    assert _run(app, "MATCH (m:Member {email: 'ana.joiner@stat.example.org'}) RETURN m.id AS id") == []
    assert (
        coordinator.post(
            url, data={"csrf_token": csrf_token(coordinator, "/join/requests"), "reason": "x"}
        ).status_code
        == 404
    )


def test_a_trusted_domain_is_approved_at_once(app, anonymous, catalog) -> None:
    admin = signed_in(app, "boss@example.org", "admin")
    coordinator = signed_in(app, "co@example.org", "coordinator")
    assert coordinator.get("/join/domains").status_code == 403
    token = csrf_token(admin, "/join/domains")
    bad = admin.post("/join/domains", data={"csrf_token": token, "domain": "@stat.example.org"})
    assert bad.status_code == 400 and "without @" in bad.get_data(as_text=True)
    assert (
        admin.post("/join/domains", data={"csrf_token": token, "domain": "Stat.Example.ORG"}).status_code
        == 302
    )
    assert "stat.example.org" in admin.get("/join/domains").get_data(as_text=True)

    assert ask(anonymous, valid_form(catalog)).status_code == 302
    page = anonymous.get(link_in(mails(app, "join_confirm")[0]["text"], "/join/confirm/")).get_data(
        as_text=True
    )
    assert "approved at once" in page
    (decided,) = _run(app, "MATCH (r:JoinRequest) RETURN r.status AS s, r.decided_by AS by, r.member AS m")
    assert decided["s"] == "approved" and decided["by"] == "domain:stat.example.org"
    assert _run(app, "MATCH (m:Member {id: $id}) RETURN m.name AS n", id=decided["m"]) == [
        {"n": "Ana Joiner"}
    ]
    (mail,) = mails(app, "join_approved")
    assert "/invite/" in mail["text"] and "trusts" in mail["text"]

    # Another domain (and a sub-domain) still waits; after removal, this one waits too.
    ask(anonymous, valid_form(catalog, email="x@sub.stat.example.org"), address="198.51.100.3")
    anonymous.get(link_in(mails(app, "join_confirm")[-1]["text"], "/join/confirm/"))
    assert len(requests_of(app, "confirmed")) == 1
    token = csrf_token(admin, "/join/domains")
    assert admin.post("/join/domains/stat.example.org/remove", data={"csrf_token": token}).status_code == 302
    assert "No domain is trusted" in admin.get("/join/domains").get_data(as_text=True)


def requests_of(app: Any, status: str) -> list[dict[str, Any]]:
    with app.app_context():
        return get_store().read(requests_with_status, status)


def test_the_home_part_counts_the_waiting_requests_for_coordinators(app, anonymous, catalog) -> None:
    from flask import render_template

    from graphapp.auth import Viewer
    from graphapp.pages.join import home_part

    confirmed(app, anonymous, valid_form(catalog))
    with app.test_request_context("/"):
        store = get_store()
        assert store.read(home_part, Viewer("m", "member")) is None
        part = store.read(home_part, Viewer("c", "coordinator"))
        assert part == {"join_waiting": 1}
        html = render_template("pages/_home_join.html", part=part)
    assert '<a href="/join/requests"><strong>1</strong> confirmed request to join waits' in html


def test_the_whole_path_through_a_real_mail_server(app, anonymous, catalog, smtp_server) -> None:
    """Ask, confirm from the delivered mail, approve, create the account from the delivered mail."""
    from graphapp.mail import deliver_queued

    app.config.update(smtp_server.config)

    def delivered(n: int) -> str:
        """The newcomer's n-th mail, once delivered."""
        with app.app_context():
            deliver_queued(get_store(), app.config)
        smtp_server.wait_for(n)
        message = smtp_server.to("ana.joiner@stat.example.org")[n - 1]
        return str(message.get_body(preferencelist=("plain",)).get_content())

    assert ask(anonymous, valid_form(catalog)).status_code == 302
    assert "confirmed" in anonymous.get(link_in(delivered(1), "/join/confirm/")).get_data(as_text=True)
    coordinator = signed_in(app, "co@example.org", "coordinator")
    (waiting,) = requests_of(app, "confirmed")
    assert _approve(app, coordinator, waiting["id"]).status_code == 302
    invite = link_in(delivered(2), "/invite/")
    # The issue they came with is an ask: the experts best placed to help hear of it, as of any new ask.
    experts = [m for m in smtp_server.messages if str(m["Subject"]).startswith("An ask on")]
    assert experts and all("ana.joiner" not in str(m["To"]) for m in experts)
    assert valid_form(catalog)["issue_text"] in experts[0].get_body(preferencelist=("plain",)).get_content()
    newcomer = app.test_client()
    made = newcomer.post(
        invite,
        data={
            "csrf_token": csrf_token(newcomer, invite),
            "login": "ana.joiner@stat.example.org",
            "password": PASSWORD,
            "again": PASSWORD,
        },
    )
    assert made.status_code == 302
    assert "Ana Joiner" in newcomer.get("/me").get_data(as_text=True)


def _release(app: Any) -> None:
    """Close the app's store, so that a command can open the embedded file."""
    from graphapp.db import KEY, READY

    if app.extensions.get(KEY) is not None:
        app.extensions[KEY].close()
    app.extensions[KEY] = None
    app.extensions[READY] = False


def test_requests_from_the_command_line(app, anonymous, catalog, runner) -> None:
    first = confirmed(app, anonymous, valid_form(catalog))
    second = confirmed(app, anonymous, valid_form(catalog, email="bo@example.org", name="Bo Joiner"))
    _release(app)
    listed = runner.invoke("join", "list")
    assert listed.exit_code == 0
    lines = [line.split("\t") for line in listed.stdout.splitlines()]
    assert [(line[0], line[2], line[3]) for line in lines] == [
        (first, "Ana Joiner", "ana.joiner@stat.example.org"),
        (second, "Bo Joiner", "bo@example.org"),
    ]
    assert runner.invoke("join", "decline", second, "--reason", " ").exit_code == 1
    assert runner.invoke("join", "decline", second, "--reason", "Not a data science unit.").exit_code == 0
    approved = runner.invoke("join", "approve", first, "--base-url", "https://graphapp.example.org")
    assert approved.exit_code == 0, approved.output
    again = runner.invoke("join", "approve", first)
    assert again.exit_code == 1 and "not waiting for a decision" in again.output
    (declined,) = mails(app, "join_declined")
    assert declined["to"] == "bo@example.org" and "Not a data science unit." in declined["text"]
    (welcome,) = mails(app, "join_approved")
    assert "https://graphapp.example.org/invite/" in welcome["text"]
    _release(app)
    invite = link_in(welcome["text"], "/invite/")
    assert app.test_client().get(invite).status_code == 200


def test_a_trusted_address_that_is_already_a_member_waits_for_a_coordinator(app, anonymous, catalog) -> None:
    someone = _run(app, "MATCH (m:Member) WHERE m.email IS NOT NULL RETURN m.email AS e ORDER BY e LIMIT 1")[
        0
    ]["e"]
    _run(app, "CREATE (:TrustedDomain {id: $d, added_by: 'x', added: ''})", d=someone.rpartition("@")[2])
    assert ask(anonymous, valid_form(catalog, email=someone)).status_code == 302
    page = anonymous.get(link_in(mails(app, "join_confirm")[0]["text"], "/join/confirm/"))
    assert page.status_code == 200 and "waits for a coordinator" in page.get_data(as_text=True)
    assert requests_of(app, "confirmed")[0]["email"] == someone
    assert _run(app, "MATCH (i:Invitation) RETURN count(i) AS n") == [{"n": 0}]


def test_the_welcome_mail_links_to_the_new_members_mail_preferences(app, anonymous, catalog) -> None:
    request_id = confirmed(app, anonymous, valid_form(catalog))
    coordinator = signed_in(app, "co@example.org", "coordinator")
    member = _approve(app, coordinator, request_id).headers["Location"].rsplit("/", 1)[1]
    (mail,) = mails(app, "join_approved")
    preferences = anonymous.get(link_in(mail["text"], "/mail/"))
    assert preferences.status_code == 200, preferences.get_data(as_text=True)[:300]
    assert _run(app, "MATCH (x:Mail {kind: 'join_approved'}) RETURN x.member AS m") == [{"m": member}]


def test_asking_and_confirming_leave_the_networks_revision_alone(app, anonymous, catalog) -> None:
    """Requests, good or bad links, are kept beside the network: nothing derived from it (the suggestion
    index, the coverage report) is rebuilt because a visitor or a bot sent a form or followed a link."""
    from graphapp.queries.schema import graph_revision

    def revision() -> str | None:
        with app.app_context():
            return get_store().read(graph_revision)

    before = revision()
    assert ask(anonymous, valid_form(catalog)).status_code == 302
    assert anonymous.get("/join/confirm/not-a-token").status_code == 404
    assert anonymous.get(link_in(mails(app)[0]["text"], "/join/confirm/")).status_code == 200
    assert revision() == before
    coordinator = signed_in(app, "co@example.org", "coordinator")
    (waiting,) = requests_of(app, "confirmed")
    assert _approve(app, coordinator, waiting["id"]).status_code == 302
    assert revision() != before  # (a new member: the network changed)
