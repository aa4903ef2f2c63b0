"""Accounts, roles and who may see what.

Roles, from least to most: ``member`` (sees the network and the contact details others share with
members; their own profile and data), ``coordinator`` (also the gap analysis and contact-map exports),
``admin`` (also accounts). Anonymous visitors get the login page and the form to ask to join only, unless public mode
(``GRAPHAPP_PUBLIC=1``) lets them browse the network without any contact details.

Access is decided in one place, :func:`check_access`, before every request, from the endpoint: a route
not listed in :data:`ACCESS` needs a member, so a new route is closed until someone opens it. Sessions
are Flask-Login's; the account roles and their order come from :data:`graphapp.queries.accounts.ROLES`, and the
passwords, invitations and sign-in limit from :mod:`graphapp.accounts`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import ngettext
from flask_login import LoginManager, current_user, login_user, logout_user
from werkzeug.security import check_password_hash

from graphapp.accounts import (
    INVITATION_DAYS,
    SignInLimit,
    UnknownInvitee,
    hash_password,
    invitee,
    new_invitation,
    now_iso,
    password_problem,
    token_hash,
)
from graphapp.db import get_store
from graphapp.i18n import _, _l, word
from graphapp.queries.accounts import (
    ROLES,
    account,
    accounts,
    attempt_keys,
    create_account,
    mark_seen,
    peek_invitation,
    take_invitation,
    update_account,
)
from graphapp.queries.cypher import Tx
from graphapp.queries.history import reset_actor, set_actor
from graphapp.queries.introductions import introduction_partners
from graphapp.queries.members import node
from graphapp.settings import switched_on

__all__ = [
    "ACCESS",
    "ANONYMOUS",
    "BEEN_THERE_ROLE",
    "VIEWER_ROLES",
    "Viewer",
    "bp",
    "check_access",
    "current_viewer",
    "init_app",
]

bp = Blueprint("auth", __name__)

#: Who may be asking, from least to most: a visitor, a visitor in public mode, then the account roles.
VIEWER_ROLES = ("anonymous", "public", *ROLES)
RANK = {role: rank for rank, role in enumerate(VIEWER_ROLES)}

#: The least role each endpoint needs ("anonymous": anyone). Everything else needs "member"; "public"
#: endpoints are open to anonymous visitors in public mode.
ACCESS = {
    "auth.login": "anonymous",
    "language": "anonymous",  # the language chooser (graphapp.i18n), on every page, the sign-in page too
    "auth.invitation": "anonymous",
    "static": "anonymous",
    "pages.vendor": "anonymous",
    "api.health": "anonymous",
    "api.openapi": "anonymous",
    "pages.mail_preferences": "anonymous",  # (the signed token in the link is the key)
    "pages.confirm_link": "anonymous",  # (the signed token in a reminder is the key)
    "pages.index": "public",
    "pages.members": "public",
    "pages.member": "public",
    "pages.organisations": "public",
    "pages.organisation": "public",
    "pages.topics": "public",
    "pages.topic": "public",
    "pages.areas": "public",
    "pages.shipped_taxonomy": "public",
    "pages.import_areas": "coordinator",
    "pages.workstreams": "public",
    "pages.workstream": "public",
    "pages.places": "public",
    "pages.country": "public",
    "pages.region": "public",
    "pages.explore": "public",
    "api.summary": "public",
    "api.members": "public",
    "api.member": "public",
    "api.suggestions": "public",
    "api.member_neighbourhood": "public",
    "api.organisations": "public",
    "api.topics": "public",
    "api.areas": "public",
    "api.workstreams": "public",
    "api.places": "public",
    "api.subgraph_of": "public",
    "pages.coverage": "coordinator",
    "pages.area_coverage": "coordinator",  # (issue 14 §3, rollup: coverage by area and region)
    "api.area_coverage": "coordinator",  # (the same, as JSON)
    "pages.growth_page": "coordinator",
    "pages.growth_chart": "coordinator",
    "pages.growth_csv": "coordinator",
    "api.gaps": "coordinator",
    # The journey (issue 14 §2): the themes-by-stage map for coordinators; a theme's page as public as the
    # workstream pages and the explorer, which show themes too (names, no contact details).
    "pages.journey": "coordinator",
    "pages.theme": "public",
    "api.journey": "coordinator",
    "api.themes": "public",
    "api.theme": "public",
    "api.heatmap": "coordinator",
    "api.export_view": "coordinator",
    "uploads.import_page": "coordinator",
    "pages.import_survey_page": "coordinator",  # (issue 16: a survey's export, through a mapping)
    "uploads.import_template": "member",  # (a template file per kind of import: issue 14, ingest)
    "uploads.import_formats_page": "member",  # (what each import file holds, column by column: issue 15)
    "pages.me": "member",
    "pages.my_data": "member",
    "pages.forget_me": "member",
    "pages.my_consent": "member",
    "profiles.edit_member": "member",  # (and then: their own profile, or a coordinator)
    "pages.asks": "member",
    "pages.new_ask": "member",
    "pages.ask": "member",
    "pages.offer": "member",
    "pages.pick": "member",
    "pages.close_page": "member",
    "pages.introductions": "member",
    "pages.new_introduction": "member",
    "pages.ask_for_introduction": "member",
    "pages.introduction": "member",
    "pages.answer_introduction_page": "member",
    "pages.introduction_by_token": "anonymous",  # (the mailed link: its token is the key)
    "pages.introduction_stats_page": "coordinator",
    "pages.history_list": "coordinator",
    "pages.history_csv": "coordinator",
    "pages.member_history": "member",  # (and then: their own, or a coordinator)
    "api.history": "admin",
    "api.asks": "member",
    "api.post_ask": "member",
    "api.ask": "member",
    "api.offer": "member",
    "api.pick": "member",
    "api.close_ask": "member",
    "api.introductions": "member",
    "api.ask_for_introduction": "member",
    "api.answer_introduction": "member",
    "api.introduction_stats": "coordinator",
    "auth.logout": "anonymous",
    "auth.accounts_page": "admin",
    "auth.invite": "admin",
    "auth.change_account": "admin",
    "pages.mail_admin": "admin",
    "pages.mail_retry": "admin",
    "pages.join": "anonymous",
    "pages.join_sent": "anonymous",
    "pages.join_confirm": "anonymous",
    "pages.join_requests": "coordinator",
    "pages.stale_members": "coordinator",
    "pages.join_approve": "coordinator",
    "pages.join_decline": "coordinator",
    "pages.topic_proposals": "coordinator",
    "pages.topic_proposal_approve": "coordinator",
    "pages.topic_proposal_map": "coordinator",
    "pages.topic_proposal_decline": "coordinator",
    "pages.join_domains": "admin",
    "pages.join_add_domain": "admin",
    "pages.join_remove_domain": "admin",
    "pages.manage_topics": "coordinator",
    "pages.manage_topic": "coordinator",
    "pages.merge_topic": "coordinator",
    "pages.manage_organisations": "coordinator",
    "pages.manage_organisation": "coordinator",
    "pages.merge_organisation": "coordinator",
    "api.vocabulary": "coordinator",
    "api.change_topic": "coordinator",
    "api.merge_topic": "coordinator",
    "api.change_organisation": "coordinator",
    "api.merge_organisation": "coordinator",
    # A workstream's page and progress notes (issue 14 §5): read by all who see the workstream; written
    # by its leads and coordinators (graphapp.progress checks the lead: others get 403).
    "api.workstream": "public",
    "api.workstream_notes": "public",
    "pages.add_progress_note": "member",
    "pages.edit_progress_note": "member",
    "pages.delete_progress_note": "member",
    "api.add_progress_note": "member",
    "api.change_progress_note": "member",
    "api.delete_progress_note": "member",
    # Shared resources (issue 14 §4, graphapp.library): sharing needs a profile (or a coordinator); editing
    # and removing, the member who shared it (or a coordinator): checked by the action.
    "pages.resources": "member",
    "pages.new_resource": "member",
    "pages.share_resource": "member",
    "pages.edit_resource_page": "member",
    "pages.save_resource": "member",
    "pages.remove_resource_page": "member",
    "api.resources": "member",
    "api.resource": "member",
    "api.share_resource": "member",
    "api.edit_resource": "member",
    "api.remove_resource": "member",
    # Projects (issue 14 §1): members read them; adding needs a member with a profile or a coordinator,
    # changing and deleting the project's members or a coordinator (checked by graphapp.projects).
    "pages.projects": "member",
    "pages.project": "member",
    "pages.new_project": "member",
    "pages.edit_project": "member",
    "pages.delete_project": "member",
    "api.projects": "member",
    "api.project": "member",
    "api.add_project": "member",
    "api.change_project": "member",
    "api.delete_project": "member",
}

#: The least role that sees the "been there" suggestion mode (on the profile and in the API): it shows
#: projects' titles, organisations and days, so it is as closed as the projects list.
BEEN_THERE_ROLE = ACCESS["pages.projects"]


@dataclass(frozen=True)
class Viewer:
    """Who is asking: their login, role and (if they are one) the member they are."""

    login: str | None
    role: str
    member: str | None = None
    #: The members this viewer has been introduced to (accepted, either way): each sees the other's email.
    partners: frozenset[str] = frozenset()
    #: When the account last opened a page, before this request ("" never): "what's new since my last visit".
    seen: str = ""

    def at_least(self, role: str) -> bool:
        return RANK[self.role] >= RANK[role]

    # What Flask-Login asks of a user. Only active accounts become a signed-in Viewer.
    @property
    def is_authenticated(self) -> bool:
        return self.login is not None

    @property
    def is_active(self) -> bool:
        return self.login is not None

    @property
    def is_anonymous(self) -> bool:
        return self.login is None

    def get_id(self) -> str | None:
        return self.login

    def sees_email_of(self, member: str, visibility: str | None) -> bool:
        """Whether this viewer may see a member's email, by the member's choice (unset: members), or
        because the two were introduced (the viewer's :attr:`partners`, read with their account on every
        request: whatever the member's choice for strangers).

        >>> Viewer("c", "coordinator").sees_email_of("m-1", "coordinators")
        True
        >>> Viewer("a", "member", "m-2").sees_email_of("m-1", "coordinators")
        False
        >>> Viewer("b", "member", "m-1").sees_email_of("m-1", "nobody")  # one's own
        True
        >>> Viewer(None, "public").sees_email_of("m-1", "members")
        False
        >>> Viewer("a", "member", "m-2", frozenset({"m-1"})).sees_email_of("m-1", "nobody")  # introduced
        True
        """
        if self.member and (member == self.member or member in self.partners):
            return True
        choice = visibility or "members"
        if choice == "nobody" or not self.at_least("member"):
            return False
        return self.at_least("coordinator") if choice == "coordinators" else True


ANONYMOUS = Viewer(None, "anonymous")
PUBLIC = Viewer(None, "public")


# A hash to check against when the login does not exist, so that a wrong login takes as long as a wrong
# password and does not tell which logins exist.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))

#: Sessions: Flask-Login keeps the login in the signed session cookie and loads the account once per
#: request (see :func:`_load_viewer`).
login_manager = LoginManager()


def init_app(app: Flask) -> None:
    """Sessions and access: who is asking, and whether they may, before every request."""
    # Templates have ``viewer`` (create_app), which an error page for a database that is down can still
    # render; Flask-Login's ``current_user`` would ask the database again there.
    login_manager.init_app(app, add_context_processor=False)
    app.before_request(check_access)
    app.teardown_request(_end_actor)


def current_viewer() -> Viewer:
    """The viewer of this request (looked up once per request, by Flask-Login)."""
    return cast(Viewer, current_user._get_current_object())  # (Flask-Login ships no types)


def viewer_account(tx: Tx, login: str) -> tuple[dict[str, Any] | None, frozenset[str]]:
    """An account, and the members its member was introduced to: who is asking, in one read."""
    found = account(tx, login)
    member = found["member"] if found else None
    return found, frozenset(introduction_partners(tx, member) if member else ())


def _load_viewer(login: str) -> Viewer | None:
    found, partners = get_store().read(viewer_account, login)
    if found and found["active"] == "yes":
        return Viewer(found["id"], found["role"], found["member"] or None, partners, found.get("seen") or "")
    session.clear()  # deleted or deactivated since: the session ends now, and stays ended
    return None


def _visitor() -> Viewer:
    """Whoever has not signed in: a public visitor in public mode, else anonymous."""
    return PUBLIC if switched_on(current_app.config.get("GRAPHAPP_PUBLIC")) else ANONYMOUS


# (Flask-Login ships no types: used as a decorator, user_loader would leave _load_viewer untyped to mypy)
login_manager.user_loader(_load_viewer)
login_manager.anonymous_user = _visitor


def _end_actor(error: BaseException | None = None) -> None:
    """After a request, its actor goes (a thread that serves requests, or a test that makes them, does not
    record later changes as made by the last request's account)."""
    token = g.pop("actor", None)
    if token is not None:
        reset_actor(token)


def check_access() -> Any:
    """Run before every request: let it through, or answer 401/403 (API) or send to the login page."""
    needed = ACCESS.get(request.endpoint or "", "member")
    if needed == "anonymous":
        g.actor = set_actor("visitor")
        return None
    viewer = current_viewer()
    # Who this request's changes are recorded as made by, in the history (graphapp.queries.history).
    g.actor = set_actor(f"account:{viewer.login}" if viewer.login else "visitor")
    if viewer.at_least(needed):
        note_visit(viewer)
        return None
    api = request.path.startswith("/api/")
    if viewer.login is None:
        if api:
            return jsonify({"error": {"status": 401, "message": "log in first"}}), 401
        return redirect(
            url_for("auth.login", next=request.full_path if request.query_string else request.path)
        )
    abort(
        403,
        _(
            "This page needs an account with the role “%(needed)s”; yours is “%(role)s”.",
            needed=word(needed, "role"),
            role=word(viewer.role, "role"),
        ),
    )


#: How often an account's last visit (``seen``) is written down, at most.
SEEN_EVERY = timedelta(hours=1)


def note_visit(viewer: Viewer) -> None:
    """Note that the viewer's account opened a page, at most once per :data:`SEEN_EVERY` (a bookkeeping
    write: no change to the network, so every process's suggestion index stays as it is)."""
    if not viewer.login:
        return
    now = datetime.now(UTC)
    if viewer.seen:
        try:
            if now - datetime.fromisoformat(viewer.seen) < SEEN_EVERY:
                return
        except ValueError:
            pass
    get_store().bookkeep(mark_seen, viewer.login, now.isoformat(timespec="seconds"))


#: Failed sign-ins: at most 5 per 5 minutes per address and per login, counted in the graph.
SIGN_IN_LIMIT = SignInLimit(limit=5, window=300)


def _sign_in(viewer: Viewer) -> None:
    session.clear()  # (a new session: nothing of the one before sign-in carries over)
    login_user(viewer)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never another host: no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("pages.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "GET":
        return render_template("auth/login.html", next=request.args.get("next", ""))
    login_name = (request.form.get("login") or "").strip().lower()
    password = request.form.get("password") or ""
    store = get_store()
    address, now = request.remote_addr or "", datetime.now(UTC)
    wait = SIGN_IN_LIMIT.wait(store, attempt_keys(address, login_name), now)  # (a failure until it succeeds)
    if wait:
        minutes = max(1, -(-wait // 60))
        message = ngettext(
            "Too many failed attempts. Try again in %(num)d minute.",
            "Too many failed attempts. Try again in %(num)d minutes.",
            minutes,
        )
        return render_template("auth/login.html", problem=message, next=request.form.get("next", "")), 429
    found = store.read(account, login_name) if login_name else None
    ok = check_password_hash(found["password_hash"] if found else _DUMMY_HASH, password)
    if not (found and ok and found["active"] == "yes"):
        message = _("That login and password do not match an active account.")
        return render_template("auth/login.html", problem=message, next=request.form.get("next", "")), 401
    SIGN_IN_LIMIT.signed_in(store, address, login_name, now)
    _sign_in(Viewer(found["id"], found["role"], found["member"] or None))
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout() -> Any:
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def invitation(token: str) -> Any:
    now = now_iso()
    invite = get_store().read(peek_invitation, token_hash(token), now)
    if invite is None:
        abort(
            404,
            _(
                "This invitation does not exist, has been used, or has expired. Ask an administrator for a new one."
            ),
        )
    if request.method == "GET":
        return render_template(
            "auth/invitation.html", invite=invite, invited_as=INVITED_AS.get(invite["role"])
        )
    login_name = (request.form.get("login") or "").strip().lower()
    password = request.form.get("password") or ""
    problem = password_problem(password, request.form.get("again") or "")
    if not login_name or "@" not in login_name:
        problem = _("Give your email address as your login.")
    if problem is None and get_store().read(account, login_name) is not None:
        problem = _("There is already an account with that login.")
    if problem:
        shown = {"invite": invite, "invited_as": INVITED_AS.get(invite["role"]), "login": login_name}
        return render_template("auth/invitation.html", problem=problem, **shown), 400

    def accept(tx: Any) -> dict[str, Any] | None:
        taken = take_invitation(tx, token_hash(token), now)
        if taken is not None:
            create_account(tx, login_name, hash_password(password), taken["role"], taken["member"] or "", now)
        return taken

    taken = get_store().write(accept)
    if taken is None:
        abort(404, _("This invitation has just been used."))
    _sign_in(Viewer(login_name, taken["role"], taken["member"] or None))
    return redirect(url_for("pages.index"))


#: What a person invited is told, a whole sentence per role (articles differ: "a member", "an admin").
INVITED_AS = {
    "member": _l("You are invited as a member."),
    "coordinator": _l("You are invited as a coordinator."),
    "admin": _l("You are invited as an admin."),
}

#: What the admin is told when an invitation is made, per role, for someone named or not.
INVITATION_MADE = {
    ("member", False): _l(
        "Invitation for a member, valid for %(days)d days; send this link to the person (it is shown once): "
        "%(link)s"
    ),
    ("coordinator", False): _l(
        "Invitation for a coordinator, valid for %(days)d days; send this link to the person (it is shown "
        "once): %(link)s"
    ),
    ("admin", False): _l(
        "Invitation for an admin, valid for %(days)d days; send this link to the person (it is shown once): "
        "%(link)s"
    ),
    ("member", True): _l(
        "Invitation for %(name)s as a member, valid for %(days)d days; send them this link (it is shown once): "
        "%(link)s"
    ),
    ("coordinator", True): _l(
        "Invitation for %(name)s as a coordinator, valid for %(days)d days; send them this link (it is shown "
        "once): %(link)s"
    ),
    ("admin", True): _l(
        "Invitation for %(name)s as an admin, valid for %(days)d days; send them this link (it is shown once): "
        "%(link)s"
    ),
}


def accounts_page_data(tx: Tx, typed: str = "") -> dict[str, Any]:
    """The Accounts page: every account with the name of the member it is tied to, and, for what an admin
    typed in the invitation form, the members whose names match it."""
    found = accounts(tx)
    for a in found:
        person = node(tx, "Member", a["member"]) if a["member"] else None
        a["member_name"] = person["name"] if person else ""
    return {"accounts": found, "matches": invitee(tx, typed)[1] if typed else []}


def _accounts(form: dict[str, str] | None = None, problem: str = "", status: int = 200) -> Any:
    form = form or {"role": ROLES[0], "member": ""}
    shown = get_store().read(accounts_page_data, form["member"] if problem else "")
    roles = [(r, word(r, "role")) for r in ROLES]
    return render_template("auth/accounts.html", **shown, roles=roles, form=form, problem=problem), status


@bp.get("/admin/accounts")
def accounts_page() -> Any:
    return _accounts()


@bp.post("/admin/invitations")
def invite() -> Any:
    role = request.form.get("role") or ROLES[0]
    typed = (request.form.get("member") or "").strip()
    picked = (request.form.get("pick") or "").strip()  # (a member chosen among the names that matched)
    form = {"role": role, "member": typed}
    if role not in ROLES:
        return _accounts(form, _("Choose one of the roles offered."), 400)
    person: dict[str, Any] | None = None
    if picked or typed:
        person = get_store().read(lambda tx: invitee(tx, picked or typed)[0])
        if person is None:
            return _accounts(
                form,
                _(
                    "No member is called or has the id “%(typed)s”: choose one of the members below, or "
                    "type another name.",
                    typed=picked or typed,
                )
                if typed
                else _("That member is no longer in the network: type a name again."),
                400,
            )
    try:
        token = new_invitation(
            get_store(), role, person["id"] if person else "", current_viewer().login or ""
        )
    except UnknownInvitee:  # (forgotten between the look-up and the write)
        return _accounts(form, _("That member is no longer in the network: type a name again."), 400)
    link = url_for("auth.invitation", token=token, _external=True)
    said = INVITATION_MADE[role, person is not None]
    flash(str(said) % {"days": INVITATION_DAYS, "link": link, "name": person["name"] if person else ""})
    return redirect(url_for("auth.accounts_page"))


@bp.post("/admin/accounts/<login_name>")
def change_account(login_name: str) -> Any:
    role = request.form.get("role") or None
    active = request.form.get("active") or None
    if role is not None and role not in ROLES:
        abort(400, _("Choose one of the roles offered."))
    if active not in (None, "yes", "no"):
        abort(400, _("Choose whether the account is active or blocked."))
    if login_name == current_viewer().login and (role not in (None, ROLES[-1]) or active == "no"):
        abort(400, _("You cannot take away your own administrator rights; ask another administrator."))
    changes = {k: v for k, v in (("role", role), ("active", active)) if v}
    if not get_store().write(update_account, login_name, **changes):
        abort(404, _("There is no account “%(login)s”.", login=login_name))
    flash(_("Account %(login)s updated.", login=login_name))
    return redirect(url_for("auth.accounts_page"))
