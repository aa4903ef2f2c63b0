"""Who may open what: every route for every role, and each member's choices honoured wherever their
details could leave graphapp (pages, API, exports), on both stores.

The matrix below is written out by hand from the issue, not derived from graphapp.auth.ACCESS, so that a
change to the access table that opens or closes a route makes this test fail until the matrix agrees.
The roles and their order are graphapp's own (graphapp.auth.VIEWER_ROLES, from the account roles of
graphapp.queries.accounts): a new role is walked through every route at its rank.
"""

from __future__ import annotations

import re

import pytest

from graphapp.auth import ACCESS, VIEWER_ROLES
from graphapp.db import get_store
from graphapp.demo import DEMO_FILES
from graphapp.ingest import import_files
from graphapp.queries.accounts import ROLES as ACCOUNT_ROLES
from graphapp.queries.members import MemberFilter, member_ids
from tests.helpers import PASSWORD, csrf_token, make_account, sign_in, signed_in

ROLES = VIEWER_ROLES
RANK = {r: i for i, r in enumerate(ROLES)}

# (method, url, least role that may use it). {m} is a member of record-linkage; {other} another member.
MATRIX = [
    ("GET", "/login", "anonymous"),
    ("GET", "/api/health", "anonymous"),
    ("GET", "/api/openapi.json", "anonymous"),
    ("GET", "/vendor/vis-network.min.js", "anonymous"),
    ("GET", "/static/graphapp.css", "anonymous"),
    ("GET", "/invite/not-a-token", "anonymous"),  # (answered 404: there is no such invitation)
    ("POST", "/invite/not-a-token", "anonymous"),
    ("POST", "/language", "anonymous"),  # (the language chooser: a cookie, on every page)
    ("GET", "/mail/preferences/not-a-token", "anonymous"),  # (answered 404: not signed by this site)
    ("POST", "/mail/preferences/not-a-token", "anonymous"),
    ("GET", "/confirm/not-a-token", "anonymous"),  # (answered 404: not signed by this site)
    ("POST", "/confirm/not-a-token", "anonymous"),
    ("GET", "/", "public"),
    ("GET", "/members?q=a", "public"),
    ("GET", "/members/{m}", "public"),
    ("GET", "/organisations", "public"),
    ("GET", "/organisations/ons", "public"),
    ("GET", "/topics", "public"),
    ("GET", "/topics/record-linkage", "public"),
    ("GET", "/areas", "public"),
    ("GET", "/areas/edsf.csv", "public"),
    ("GET", "/areas/import", "coordinator"),
    ("POST", "/areas/import", "coordinator"),  # (sent without a file: answered 400 once allowed)
    ("GET", "/workstreams", "public"),
    ("GET", "/workstreams/WS2", "public"),
    ("GET", "/places", "public"),
    ("GET", "/countries/NLD", "public"),
    ("GET", "/regions/Europe", "public"),
    ("GET", "/explore?kind=topic&value=record-linkage", "public"),
    ("GET", "/api/summary", "public"),
    ("GET", "/api/members", "public"),
    ("GET", "/api/members/{m}", "public"),
    ("GET", "/api/members/{m}/suggestions", "public"),
    ("GET", "/api/members/{m}/neighbourhood", "public"),
    ("GET", "/api/organisations", "public"),
    ("GET", "/api/topics", "public"),
    ("GET", "/api/areas", "public"),
    ("GET", "/api/workstreams", "public"),
    ("GET", "/api/places", "public"),
    ("GET", "/api/subgraph?kind=topic&value=record-linkage", "public"),
    ("GET", "/me", "member"),
    ("GET", "/me/data.json", "member"),
    ("POST", "/me/consent", "member"),  # (sent without values: answered 400 once allowed)
    ("POST", "/me/forget", "member"),  # (sent without the confirmation: answered 400 once allowed)
    ("GET", "/members/{other}/edit", "coordinator"),  # (someone else's: a coordinator's job)
    ("POST", "/members/{other}/edit", "coordinator"),  # (sent without a revision: answered 409 once allowed)
    ("GET", "/coverage", "coordinator"),
    ("GET", "/coverage/areas", "coordinator"),  # (issue 14 §3, rollup)
    ("GET", "/api/coverage/areas", "coordinator"),
    ("GET", "/coverage/growth", "coordinator"),
    ("GET", "/coverage/growth.svg", "coordinator"),
    ("GET", "/coverage/growth.csv?by=region", "coordinator"),
    ("GET", "/api/gaps", "coordinator"),
    # The journey (issue 14 §2): the map for coordinators, a theme for members (an unknown one: 404 once allowed).
    ("GET", "/journey", "coordinator"),
    ("GET", "/api/journey", "coordinator"),
    ("GET", "/themes/quality", "public"),
    ("GET", "/api/themes", "public"),
    ("GET", "/api/themes/quality", "public"),
    ("GET", "/api/heatmap", "coordinator"),
    ("GET", "/api/export/csv?kind=topic&value=record-linkage", "coordinator"),
    ("GET", "/import", "coordinator"),
    ("POST", "/import", "coordinator"),  # (sent without files: answered 400 once allowed)
    ("POST", "/import/survey", "coordinator"),  # (a survey through a mapping, issue 16: 400 without its file)
    ("GET", "/import/formats", "member"),  # (the import formats, for whoever prepares a file)
    ("GET", "/import/templates/projects.csv", "member"),
    ("GET", "/admin/accounts", "admin"),
    ("POST", "/admin/invitations", "admin"),
    ("POST", "/admin/accounts/nobody@example.org", "admin"),  # (answered 404: no such account)
    # Asks and introductions (issue 12). Ids that do not exist are answered 404 once allowed; forms sent
    # without their fields 400; a member's own actions by an account with no member 409.
    ("GET", "/asks", "member"),
    ("POST", "/asks", "member"),
    ("GET", "/asks/no-such-ask", "member"),
    ("POST", "/asks/no-such-ask/offers", "member"),
    ("POST", "/asks/no-such-ask/offers/no-such-offer/pick", "member"),
    ("POST", "/asks/no-such-ask/close", "member"),
    ("GET", "/introductions", "member"),
    ("GET", "/introductions/new?to={other}", "member"),
    ("POST", "/introductions", "member"),
    ("GET", "/introductions/no-such-introduction", "member"),
    ("POST", "/introductions/no-such-introduction", "member"),
    ("GET", "/introductions/answer/not-a-token", "anonymous"),  # (the mailed link: its token is the key)
    ("POST", "/introductions/answer/not-a-token", "anonymous"),
    ("GET", "/introductions/stats", "coordinator"),
    ("GET", "/history", "coordinator"),
    ("GET", "/history.csv", "coordinator"),
    ("GET", "/members/{m}/history", "coordinator"),  # (someone else's; a member's own: test_history.py)
    ("GET", "/api/history", "admin"),
    ("GET", "/api/asks", "member"),
    ("POST", "/api/asks", "member"),
    ("GET", "/api/asks/no-such-ask", "member"),
    ("POST", "/api/asks/no-such-ask/offers", "member"),
    ("POST", "/api/asks/no-such-ask/offers/no-such-offer/pick", "member"),
    ("POST", "/api/asks/no-such-ask/close", "member"),
    ("GET", "/api/introductions", "member"),
    ("POST", "/api/introductions", "member"),
    ("POST", "/api/introductions/no-such-introduction/answer", "member"),
    ("GET", "/api/introductions/stats", "coordinator"),
    ("GET", "/admin/mail", "admin"),
    ("POST", "/admin/mail/retry", "admin"),
    ("GET", "/join", "anonymous"),
    ("POST", "/join", "anonymous"),  # (sent without a name or topics: answered 400, the form's own problems)
    ("GET", "/join/sent", "anonymous"),
    ("GET", "/join/confirm/not-a-token", "anonymous"),  # (answered 404: no such request)
    ("GET", "/join/requests", "coordinator"),
    ("GET", "/members/stale", "coordinator"),
    ("POST", "/join/requests/nothing/approve", "coordinator"),  # (answered 409: no such request waits)
    ("POST", "/join/requests/nothing/decline", "coordinator"),  # (sent without a reason: answered 400)
    ("GET", "/topics/proposals", "coordinator"),
    ("POST", "/topics/proposals/nothing/approve", "coordinator"),  # (answered 404: no such proposal)
    ("POST", "/topics/proposals/nothing/map", "coordinator"),  # (answered 404)
    ("POST", "/topics/proposals/nothing/decline", "coordinator"),  # (no reason: answered 400)
    ("GET", "/join/domains", "admin"),
    ("POST", "/join/domains", "admin"),  # (sent without a domain: answered 400)
    ("POST", "/join/domains/nowhere.example.org/remove", "admin"),  # (answered 404: not a trusted domain)
    # The vocabulary (issue 13): a change sent without its action is answered 400, a merge without a
    # topic to merge into 404, once allowed.
    ("GET", "/topics/manage", "coordinator"),
    ("GET", "/topics/manage/record-linkage", "coordinator"),
    ("POST", "/topics/manage/record-linkage", "coordinator"),
    ("GET", "/topics/manage/record-linkage/merge?into=ethics", "coordinator"),
    ("POST", "/topics/manage/record-linkage/merge", "coordinator"),
    ("GET", "/organisations/manage", "coordinator"),
    ("GET", "/organisations/manage/ons", "coordinator"),
    ("POST", "/organisations/manage/ons", "coordinator"),
    ("GET", "/organisations/manage/ons/merge?into=statcan", "coordinator"),
    ("POST", "/organisations/manage/ons/merge", "coordinator"),
    ("GET", "/api/vocabulary", "coordinator"),
    ("POST", "/api/topics/record-linkage", "coordinator"),  # (sent without a JSON body: answered 400)
    ("POST", "/api/topics/record-linkage/merge", "coordinator"),
    ("POST", "/api/organisations/ons", "coordinator"),
    ("POST", "/api/organisations/ons/merge", "coordinator"),
    # A workstream's progress notes (issue 14 §5): read by all who see the workstream, written by its leads
    # and coordinators. A member who leads nothing is refused (403: tests/test_workstreams.py has a lead's
    # own); once allowed, a form without its text is answered 400, a note that is not there 404.
    ("GET", "/api/workstreams/WS2", "public"),
    ("GET", "/api/workstreams/WS2/notes", "public"),
    ("POST", "/workstreams/WS2/notes", "coordinator"),
    ("POST", "/workstreams/WS2/notes/no-such-note", "coordinator"),
    ("POST", "/workstreams/WS2/notes/no-such-note/delete", "coordinator"),
    ("POST", "/api/workstreams/WS2/notes", "coordinator"),
    ("PATCH", "/api/workstreams/WS2/notes/no-such-note", "coordinator"),
    ("DELETE", "/api/workstreams/WS2/notes/no-such-note", "coordinator"),
    # Shared resources (issue 14 §4). Sharing needs a profile: these accounts have none, so a member's is
    # refused (403) and a coordinator may (tests/test_library.py: a member with a profile shares). Ids that do
    # not exist are answered 404 once allowed (editing and removing: the sharer or a coordinator, tested there).
    ("GET", "/resources", "member"),
    ("GET", "/resources/new", "coordinator"),
    ("POST", "/resources/new", "coordinator"),  # (sent without its fields: answered 400)
    ("GET", "/resources/no-such-resource/edit", "member"),
    ("POST", "/resources/no-such-resource/edit", "member"),
    ("POST", "/resources/no-such-resource/remove", "member"),
    ("GET", "/api/resources", "member"),
    ("GET", "/api/resources/no-such-resource", "member"),
    ("POST", "/api/resources", "member"),  # (sent without a JSON body: answered 400)
    ("PATCH", "/api/resources/no-such-resource", "member"),
    ("DELETE", "/api/resources/no-such-resource", "member"),
    # Projects (issue 14 §1). A project that does not exist is answered 404 once allowed (403 to a member:
    # only its members and coordinators may change it); a member with a profile may add one and change
    # their own (tests/test_projects.py): the account here is tied to no member.
    ("GET", "/projects", "member"),
    ("GET", "/projects/no-such-project", "member"),
    ("GET", "/projects/new", "coordinator"),
    ("POST", "/projects/new", "coordinator"),  # (sent without a title: answered 400 once allowed)
    ("GET", "/projects/no-such-project/edit", "coordinator"),
    ("POST", "/projects/no-such-project/edit", "coordinator"),
    ("GET", "/projects/no-such-project/delete", "coordinator"),
    ("POST", "/projects/no-such-project/delete", "coordinator"),
    ("GET", "/api/projects", "member"),
    ("GET", "/api/projects/no-such-project", "member"),
    # (sent without a JSON body: answered 400 before who asks matters; a member with no profile who sends
    # a project is answered 403: tests/test_projects.py)
    ("POST", "/api/projects", "member"),
    ("PATCH", "/api/projects/no-such-project", "coordinator"),
    ("DELETE", "/api/projects/no-such-project", "coordinator"),
    ("POST", "/login", "anonymous"),  # (wrong password: 401, the login page's own refusal)
    ("POST", "/logout", "anonymous"),  # (last: it ends the session)
]


@pytest.fixture
def people(app):
    with app.app_context():
        store = get_store()
        import_files(store, DEMO_FILES)
        found = store.read(member_ids, MemberFilter(topic="record-linkage"))
    return {"m": found[0], "other": found[1]}


def _client(app, role: str, member: str = ""):  # type: ignore[no-untyped-def]
    if role in ACCOUNT_ROLES:
        return signed_in(app, f"{role}@example.org", role, member)
    return app.test_client()


def _refused(response) -> bool:  # type: ignore[no-untyped-def]
    """401/403, or the page sending a visitor to sign in first (with where they were going)."""
    if response.status_code in (401, 403):
        return True
    return response.status_code == 302 and "/login?next=" in response.headers["Location"]


def test_the_matrix_covers_every_route(app) -> None:
    """A new route must be put in the matrix (and in graphapp.auth.ACCESS, or it needs a member)."""
    adapter = app.url_map.bind("localhost")
    covered = {
        (adapter.match(re.sub(r"\?.*", "", url.format(m="m-1", other="m-2")), method=method)[0], method)
        for method, url, _ in MATRIX
    }
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes <= covered, sorted(routes - covered)
    assert set(ACCESS) <= {r.endpoint for r in app.url_map.iter_rules()}  # no stale entries
    assert set(ACCESS.values()) <= set(VIEWER_ROLES)  # and no role graphapp does not have


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(app, people, role) -> None:
    if role == "public":
        app.config["GRAPHAPP_PUBLIC"] = "1"
    client = _client(app, role)
    for method, url, least in MATRIX:
        url = url.format(**people)
        if method == "GET":
            with client.get(url) as response:  # (closes files served, such as vis-network)
                response.get_data()
        else:
            token = csrf_token(client, "/login")  # afresh: signing out (above) ends the session and its token
            response = client.open(  # (POST, PATCH, DELETE: each route by its own method)
                url, method=method, data={"csrf_token": token, "login": "x@example.org", "password": "wrong"}
            )
        refused = _refused(response)
        if (method, url) == ("POST", "/login"):  # its 401 is the form saying "wrong password"
            refused = "do not match an active account" not in response.get_data(as_text=True)
        allowed = RANK[role] >= RANK[least]
        assert refused != allowed, (role, method, url, response.status_code)
        if not allowed and url.startswith("/api/"):
            assert response.is_json and response.get_json()["error"]["status"] in (401, 403)


def test_forms_need_their_csrf_token(app, people) -> None:
    client = _client(app, "admin")
    response = client.post("/admin/invitations", data={"role": "member"})
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    response = client.post("/login", data={"login": "admin@example.org", "password": PASSWORD})
    assert response.status_code == 400


def test_sign_in_is_limited_and_says_nothing_about_which_logins_exist(app) -> None:
    make_account(app, "ana@example.org", "member")
    client = app.test_client()
    token = csrf_token(client)
    wrong_login = client.post(
        "/login", data={"login": "nobody@example.org", "password": "x", "csrf_token": token}
    )
    wrong_password = client.post(
        "/login", data={"login": "ana@example.org", "password": "x", "csrf_token": token}
    )
    assert wrong_login.status_code == wrong_password.status_code == 401
    assert "do not match an active account" in wrong_login.get_data(as_text=True)

    def without_token(page: str) -> str:  # (the form's CSRF token is signed with the time)
        return re.sub(r'name="csrf_token" value="[^"]+"', "", page)

    assert without_token(wrong_login.get_data(as_text=True)) == without_token(
        wrong_password.get_data(as_text=True)
    )
    for _ in range(4):
        client.post("/login", data={"login": "ana@example.org", "password": "x", "csrf_token": token})
    blocked = client.post(
        "/login", data={"login": "ana@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert blocked.status_code == 429 and "Too many failed attempts" in blocked.get_data(as_text=True)


def test_session_cookie_is_httponly_and_samesite(app) -> None:
    make_account(app, "ana@example.org", "member")
    response = sign_in(app.test_client(), "ana@example.org")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_sign_in_only_sends_back_to_this_site(app) -> None:
    make_account(app, "ana@example.org", "member")
    client = app.test_client()
    for target, expected in [
        ("/topics", "/topics"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
    ]:
        token = csrf_token(client)  # afresh: signing in starts a new session
        response = client.post(
            "/login",
            data={"login": "ana@example.org", "password": PASSWORD, "csrf_token": token, "next": target},
        )
        assert response.headers["Location"] == expected, target


def test_an_invitation_makes_an_account_once(app, people) -> None:
    admin = _client(app, "admin")
    response = admin.post(
        "/admin/invitations",
        data={
            "role": "coordinator",
            "member": people["m"],
            "csrf_token": csrf_token(admin, "/admin/accounts"),
        },
    )
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    link = re.search(r"(http://localhost/invite/[\w-]+)", page).group(1).replace("http://localhost", "")
    newcomer = app.test_client()
    token = csrf_token(newcomer, link)
    short = newcomer.post(
        link, data={"login": "new@example.org", "password": "short", "again": "short", "csrf_token": token}
    )
    assert short.status_code == 400 and "at least 12 characters" in short.get_data(as_text=True)
    made = newcomer.post(
        link, data={"login": "New@Example.org", "password": PASSWORD, "again": PASSWORD, "csrf_token": token}
    )
    assert made.status_code == 302
    assert newcomer.get("/coverage").status_code == 200  # signed in, as a coordinator
    assert app.test_client().get(link).status_code == 404  # used up
    assert sign_in(app.test_client(), "new@example.org").status_code == 302


def _invite(admin, **form: str):  # type: ignore[no-untyped-def]
    return admin.post("/admin/invitations", data={**form, "csrf_token": csrf_token(admin, "/admin/accounts")})


def _invitations(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return get_store().read(lambda tx: tx.run("MATCH (i:Invitation) RETURN count(i) AS n")[0]["n"])


def test_an_invitation_for_nobody_is_refused_and_offers_the_members_by_name(app, people) -> None:
    admin = _client(app, "admin")
    with app.app_context():
        ana = get_store().read(
            lambda tx: tx.run("MATCH (m:Member {id: $id}) RETURN m.name AS n", id=people["m"])
        )
    name = ana[0]["n"]
    # An id the network does not have: refused, with the reason, what was typed kept, nothing written.
    refused = _invite(admin, role="coordinator", member="m-nope")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "No member is called or has the id “m-nope”" in page
    assert 'value="m-nope"' in page and '<option value="coordinator" selected>' in page
    assert _invitations(app) == 0
    # Part of a name: the members whose names match are offered, as buttons that work without JavaScript.
    part = name.split()[0][:4]
    offered = _invite(admin, role="coordinator", member=part)
    page = offered.get_data(as_text=True)
    assert offered.status_code == 400 and f'name="pick" value="{people["m"]}"' in page
    assert _invitations(app) == 0
    # Picking one makes the invitation for that member, named in what the admin is told.
    made = _invite(admin, role="admin", member=part, pick=people["m"])
    assert made.status_code == 302 and _invitations(app) == 1
    told = admin.get(made.headers["Location"]).get_data(as_text=True)
    assert f"Invitation for {name} as an admin" in told.replace("&#39;", "'")
    link = re.search(r"(http://localhost/invite/[\w-]+)", told).group(1).replace("http://localhost", "")
    welcome = app.test_client().get(link).get_data(as_text=True)
    assert f"Welcome, {name}." in welcome and "You are invited as an admin." in welcome
    # The whole name, any case, is enough; no member at all is still allowed (the person is not in it).
    assert _invite(admin, role="member", member=name.upper()).status_code == 302
    plain = _invite(admin, role="member")
    assert plain.status_code == 302 and "Invitation for a member," in admin.get("/admin/accounts").get_data(
        as_text=True
    )
    assert _invitations(app) == 3


def test_the_accounts_page_names_the_members_accounts_are_tied_to(app, people) -> None:
    make_account(app, "tied@example.org", "member", people["m"])
    with app.app_context():
        ana = get_store().read(
            lambda tx: tx.run("MATCH (m:Member {id: $id}) RETURN m.name AS n", id=people["m"])
        )
    page = _client(app, "admin").get("/admin/accounts").get_data(as_text=True)
    assert f'<a href="/members/{people["m"]}">{ana[0]["n"]}</a>' in page


def test_the_command_refuses_an_invitation_for_nobody(runner) -> None:
    refused = runner.invoke("account", "invite", "--member", "m-nope")
    assert refused.exit_code == 1 and "no member with the id 'm-nope'" in refused.output


def test_a_blocked_account_is_signed_out_at_once(app) -> None:
    client = _client(app, "member")
    assert client.get("/members").status_code == 200
    admin = _client(app, "admin")
    admin.post(
        "/admin/accounts/member@example.org",
        data={"active": "no", "role": "member", "csrf_token": csrf_token(admin, "/admin/accounts")},
    )
    assert client.get("/members").status_code == 302  # back to the sign-in page
    assert sign_in(app.test_client(), "member@example.org").status_code == 401
    admin.post(
        "/admin/accounts/member@example.org",
        data={"active": "yes", "role": "member", "csrf_token": csrf_token(admin, "/admin/accounts")},
    )
    assert client.get("/members").status_code == 302  # unblocking does not bring the old session back
    assert sign_in(client, "member@example.org").status_code == 302
    assert client.get("/members").status_code == 200


# --- Consent -------------------------------------------------------------------------------------------


def _set_consent(app, member: str, visibility: str, suggestible: str = "yes") -> None:
    """As the member's own form does (that form is tested below)."""
    with app.app_context():
        get_store().write(
            lambda tx: tx.run(
                "MATCH (m:Member {id: $id}) SET m.email_visibility = $v, m.suggestible = $s",
                id=member,
                v=visibility,
                s=suggestible,
            )
        )


def _email(app, member: str) -> str:
    with app.app_context():
        return get_store().read(
            lambda tx: tx.run("MATCH (m:Member {id: $id}) RETURN m.email AS e", id=member)
        )[0]["e"]


def _everything(client, member: str, exports: bool) -> str:  # type: ignore[no-untyped-def]
    """Every answer in which the member's email could appear, for this viewer, as one text."""
    urls = [
        f"/members/{member}",
        "/members?per_page=100",
        "/members?topic=record-linkage&per_page=100",
        "/topics/record-linkage?per_page=100",
        "/api/members?per_page=100&topic=record-linkage",
        f"/api/members/{member}",
        f"/api/members/{member}/neighbourhood?depth=2",
        "/api/subgraph?kind=topic&value=record-linkage",
        "/api/subgraph",
        "/explore?kind=topic&value=record-linkage",
        f"/explore?kind=member&value={member}&depth=2",
    ]
    if exports:
        urls += [
            f"/api/export/{fmt}?kind=topic&value=record-linkage"
            for fmt in ("csv", "vcf", "gexf", "graphml", "cyjs", "html")
        ]
        urls += [f"/api/export/{fmt}?kind=member&value={member}" for fmt in ("csv", "vcf", "graphml")]
    texts = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        texts.append(response.get_data(as_text=True))
    return "\n".join(texts)


@pytest.mark.parametrize(
    ("visibility", "seen_by"),
    [
        ("members", {"member", "coordinator", "self"}),
        ("coordinators", {"coordinator", "self"}),
        ("nobody", {"self"}),
    ],
)
def test_a_members_email_is_where_they_allow_it_and_nowhere_else(app, people, visibility, seen_by) -> None:
    me = people["m"]
    _set_consent(app, me, visibility)
    email = _email(app, me)
    viewers = {
        "member": (_client(app, "member", people["other"]), False),
        "coordinator": (_client(app, "coordinator"), True),
        "self": (None, False),
    }
    self_client = app.test_client()
    make_account(app, "self@example.org", "member", me)
    sign_in(self_client, "self@example.org")
    viewers["self"] = (self_client, False)
    for name, (client, exports) in viewers.items():
        text = _everything(client, me, exports)
        assert (email in text) == (name in seen_by), (visibility, name)
    app.config["GRAPHAPP_PUBLIC"] = "1"
    assert email not in _everything(app.test_client(), me, False)  # public mode: no contact details at all


def test_a_member_who_says_no_is_never_suggested(app, people) -> None:
    other = people["other"]
    client = _client(app, "coordinator")

    def suggested_anywhere() -> bool:
        with app.app_context():
            everyone = get_store().read(member_ids, MemberFilter())
        return any(
            other
            in {
                s["id"]
                for s in client.get(f"/api/members/{m}/suggestions?limit=100&mode=all").get_json()[
                    "suggestions"
                ]
            }
            for m in everyone
            if m != other
        )

    assert suggested_anywhere()
    _set_consent(app, other, "members", "no")
    assert not suggested_anywhere()
    assert client.get(f"/members/{other}").status_code == 200  # still in the directory


def test_a_member_sets_their_choices_downloads_their_data_and_is_forgotten(app, people, tmp_path) -> None:
    import json

    from graphapp.backup import write_backup

    me = people["m"]
    email = _email(app, me)
    make_account(app, "me@example.org", "member", me)
    client = app.test_client()
    sign_in(client, "me@example.org")
    token = csrf_token(client, "/me")
    saved = client.post(
        "/me/consent", data={"email_visibility": "nobody", "suggestible": "no", "csrf_token": token}
    )
    assert saved.status_code == 302
    other = _client(app, "member", people["other"])
    assert email not in other.get(f"/members/{me}").get_data(as_text=True)

    data = client.get("/me/data.json")
    held = data.get_json()
    assert held["member"]["id"] == me and held["member"]["email"] == email
    assert held["member"]["email_visibility"] == "nobody" and held["account"]["id"] == "me@example.org"
    assert "password_hash" not in json.dumps(held)
    assert any(r["type"] == "INTERESTED_IN" for r in held["graph"]["relationships"])

    refused = client.post("/me/forget", data={"confirm": "yes", "csrf_token": token})
    assert refused.status_code == 400
    gone = client.post("/me/forget", data={"confirm": "forget me", "csrf_token": token})
    assert gone.status_code == 302
    with app.app_context():
        write_backup(get_store(), tmp_path / "after.json")
    backup = (tmp_path / "after.json").read_text()
    assert me not in backup and email not in backup
    assert sign_in(app.test_client(), "me@example.org").status_code == 401  # the account went too
    assert client.get("/members").status_code == 302  # and the session with it


def _release(app) -> None:  # type: ignore[no-untyped-def]
    """Close the app's store, as a server would be stopped before a command writes to its embedded file
    (one process at a time; in one test process, two handles on one file would not see each other)."""
    from graphapp.db import KEY, READY

    if app.extensions.get(KEY) is not None:
        app.extensions[KEY].close()
    app.extensions[KEY] = None
    app.extensions[READY] = False


def test_accounts_from_the_command_line(runner, app) -> None:
    from click.testing import CliRunner

    from graphapp.cli import cli

    def run(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)

    runner.invoke("demo")
    made = run(
        "account",
        "create",
        "Coord@Example.org",
        "--role",
        "coordinator",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert made.exit_code == 0, made.output
    assert (
        run("account", "create", "coord@example.org", "--password-stdin", stdin=PASSWORD + "\n").exit_code
        == 1
    )
    short = run("account", "create", "x@example.org", "--password-stdin", stdin="short\n")
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    unknown = run(
        "account", "create", "y@example.org", "--member", "m-nope", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert unknown.exit_code == 1 and "no member with the id 'm-nope'" in unknown.output
    assert "coord@example.org\tcoordinator\tactive" in run("account", "list").output
    new = PASSWORD + " again"
    assert (
        run("account", "password", "coord@example.org", "--password-stdin", stdin=new + "\n").exit_code == 0
    )
    link = run(
        "account", "invite", "--role", "member", "--base-url", "http://graphapp.example"
    ).output.strip()
    assert re.fullmatch(r"http://graphapp\.example/invite/[\w-]{40,}", link)

    assert sign_in(app.test_client(), "coord@example.org").status_code == 401  # the old password
    assert sign_in(app.test_client(), "coord@example.org", new).status_code == 302
    assert app.test_client().get(link.replace("http://graphapp.example", "")).status_code == 200
    _release(app)
    assert run("account", "set", "coord@example.org", "--active", "no").exit_code == 0
    assert sign_in(app.test_client(), "coord@example.org", new).status_code == 401


def test_forget_from_the_command_line(runner, app, tmp_path) -> None:
    runner.invoke("demo")
    with app.app_context():
        someone = get_store().read(member_ids, MemberFilter(topic="record-linkage"))[0]
    _release(app)
    email = _email(app, someone)
    make_account(app, "them@example.org", "member", someone)
    _release(app)
    assert runner.invoke("forget", someone).exit_code == 0
    assert runner.invoke("backup", str(tmp_path / "b.json")).exit_code == 0
    text = (tmp_path / "b.json").read_text()
    assert someone not in text and email not in text
    assert sign_in(app.test_client(), "them@example.org").status_code == 401
    again = runner.invoke("forget", someone)
    assert again.exit_code == 1 and "no member with the id" in again.output


def test_pages_offer_only_what_the_viewer_may_open(app, people) -> None:
    member_page = _client(app, "member").get(f"/members/{people['m']}").get_data(as_text=True)
    assert "Download this contact map" not in member_page and 'href="/coverage"' not in member_page
    assert 'href="/admin/accounts"' not in member_page and 'href="/me"' in member_page
    coordinator_page = _client(app, "coordinator").get(f"/members/{people['m']}").get_data(as_text=True)
    assert "Download this contact map" in coordinator_page and 'href="/coverage"' in coordinator_page
    assert 'href="/admin/accounts"' not in coordinator_page


@pytest.mark.parametrize("proxies", [0, 1])
def test_behind_a_proxy_each_visitor_is_counted_by_their_own_address(store_config, proxies) -> None:
    """With GRAPHAPP_PROXIES=1 the sign-in limit counts the address the proxy saw (X-Forwarded-For):
    one visitor guessing does not lock out the next. Without it, every request comes from the proxy."""
    from graphapp import create_app

    app = create_app({"TESTING": True, **store_config, "GRAPHAPP_PROXIES": proxies})
    make_account(app, "bo@example.org", "member")
    client = app.test_client()
    token = csrf_token(client)
    for i in range(5):  # the guesser, from their own address, each time another login
        guess = client.post(
            "/login",
            data={"login": f"guess{i}@example.org", "password": "x", "csrf_token": token},
            headers={"X-Forwarded-For": "203.0.113.66"},
        )
        assert guess.status_code == 401
    bo = client.post(
        "/login",
        data={"login": "bo@example.org", "password": PASSWORD, "csrf_token": token},
        headers={"X-Forwarded-For": "198.51.100.7"},
    )
    # Behind the proxy Bo has an address of his own and gets in; unconfigured, all share the proxy's.
    assert bo.status_code == (302 if proxies else 429)
    app.extensions["graphapp.store"].close()
