"""The pages: home, directory, profiles, the organisation, topic, workstream and place pages, the coverage
dashboard and the network explorer. Each view reads the request, calls the query functions, renders."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)

from graphapp import reports
from graphapp.analytics.suggestions import MODES
from graphapp.auth import current_viewer
from graphapp.contactmap import MAX_NODES, STYLE, View, contact_graph, people_in_view, read_map, vis_data
from graphapp.db import get_store
from graphapp.exports import country_name
from graphapp.params import member_filter, mode_arg, page_args, view_args
from graphapp.privacy import redact_people, redact_person
from graphapp.queries.coverage import M49_REGIONS
from graphapp.queries.members import (
    MemberFilter,
    facets,
    find_members,
    forget_member,
    member_profile,
    node,
    organisation_list,
    paginate,
    place_list,
    set_consent,
    topic_list,
    workstream_list,
)
from graphapp.queries.schema import LEVELS, counts
from graphapp.queries.subgraph import UnknownSubject
from graphapp.resources import VIS_NETWORK, VIS_NETWORK_FILES

bp = Blueprint("pages", __name__)


@bp.get("/vendor/<name>")
def vendor(name: str) -> Any:
    """vis-network, served from the copy graphapp ships (the version pyvis writes for), never a CDN."""
    if name not in VIS_NETWORK_FILES:
        abort(404)
    return send_from_directory(VIS_NETWORK, name, max_age=86400)


@bp.get("/")
def index() -> str:
    store = get_store()
    tally = store.read(counts)
    places = store.read(place_list)
    return render_template(
        "pages/index.html",
        counts=tally,
        countries=len(places),
        regions=len({p["region"] for p in places if p["region"]}),
        store=store.description,
    )


def _directory(where: MemberFilter, per_page: int = 25) -> dict[str, Any]:
    page, per_page = page_args(request.args, per_page)
    store = get_store()
    results = store.read(find_members, where, page, per_page)
    results.items = redact_people(results.items, current_viewer())
    return {"where": where, "results": results, "facets": store.read(facets, where)}


@bp.get("/members")
def members() -> str:
    where = member_filter(request.args)
    store = get_store()
    choices = {
        "topics": store.read(topic_list),
        "workstreams": store.read(workstream_list),
        "organisations": store.read(organisation_list),
        "places": store.read(place_list),
    }
    return render_template(
        "pages/members.html", **_directory(where), choices=choices, levels=LEVELS, regions=M49_REGIONS
    )


@bp.get("/members/<member>")
def member(member: str) -> str:
    store = get_store()
    profile = store.read(member_profile, member)
    if profile is None:
        abort(404, f"There is no member with the id {member!r}.")
    profile = redact_person(profile, current_viewer())
    mode = mode_arg(request.args)
    try:
        suggestions = store.read(reports.suggest_peers, member, limit=10, mode=mode)
    except reports.UnknownMember:
        abort(404, f"There is no member with the id {member!r}.")
    return render_template(
        "pages/member.html",
        profile=profile,
        suggestions=suggestions,
        mode=mode,
        modes=MODES,
        view=View("member", member),
    )


def _group(kind: str, value: str, heading: str, facts: list[tuple[str, Any]], **extra: Any) -> str:
    where = MemberFilter(**{kind: value})
    return render_template(
        "pages/group.html",
        kind=kind,
        value=value,
        heading=heading,
        facts=facts,
        view=View(kind, value),
        **_directory(where),
        **extra,
    )


def _node_or_404(label: str, node_id: str) -> dict[str, Any]:
    found = get_store().read(node, label, node_id)
    if found is None:
        abort(404, f"There is no {label.lower()} with the id {node_id!r}.")
    return found


@bp.get("/organisations")
def organisations() -> str:
    page, per_page = page_args(request.args, 50)
    items = get_store().read(organisation_list)
    return render_template("pages/organisations.html", results=paginate(items, page, per_page))


@bp.get("/organisations/<organisation>")
def organisation(organisation: str) -> str:
    org = _node_or_404("Organisation", organisation)
    facts = [
        ("Kind", org.get("kind")),
        ("Country", country_name(org.get("country"))),
        ("Region", org.get("region")),
        ("Also known as", "; ".join(org.get("aliases") or [])),
    ]
    return _group("organisation", organisation, org["name"], facts)


@bp.get("/topics")
def topics() -> str:
    page, per_page = page_args(request.args, 50)
    items = get_store().read(topic_list)
    return render_template("pages/topics.html", results=paginate(items, page, per_page), levels=LEVELS)


@bp.get("/topics/<topic>")
def topic(topic: str) -> str:
    t = _node_or_404("Topic", topic)
    facts = [("Also known as", "; ".join(t.get("aliases") or []))]
    return _group("topic", topic, t["name"], facts, levels=LEVELS)


@bp.get("/workstreams")
def workstreams() -> str:
    return render_template("pages/workstreams.html", items=get_store().read(workstream_list))


@bp.get("/workstreams/<workstream>")
def workstream(workstream: str) -> str:
    w = _node_or_404("Workstream", workstream)
    info = next(x for x in get_store().read(workstream_list) if x["id"] == workstream)
    facts = [("About", w.get("description")), ("Leads", info["lead"]), ("Members", info["n"])]
    return _group("workstream", workstream, f"{w['id']}: {w['name']}", facts, covers=info["covers"])


@bp.get("/places")
def places() -> str:
    items = get_store().read(place_list)
    return render_template("pages/places.html", items=items, regions=M49_REGIONS)


@bp.get("/countries/<country>")
def country(country: str) -> str:
    name = country_name(country)
    if name == country and len(country) != 3:
        abort(404, f"{country!r} is not an ISO 3166-1 alpha-3 country code.")
    return _group("country", country.upper(), name, [("ISO code", country.upper())])


@bp.get("/regions/<region>")
def region(region: str) -> str:
    if region not in M49_REGIONS:
        abort(404, f"{region!r} is not a UN M49 region; they are {', '.join(M49_REGIONS)}.")
    return _group("region", region, region, [("Kind", "UN M49 region")])


@bp.get("/coverage")
def coverage() -> str:
    page, per_page = page_args(request.args, 25)
    report, matrix = get_store().read(lambda tx: (reports.coverage_report(tx), reports.heat_map(tx)))
    return render_template(
        "pages/coverage.html",
        report=report,
        gaps=paginate(report["gaps"], page, per_page),
        matrix=matrix,
    )


@bp.get("/explore")
def explore() -> str:
    view = view_args(request.args)
    store = get_store()
    shown = store.read(people_in_view, view)
    notice = None
    if shown > MAX_NODES and not view.aggregate:
        view = View(view.kind, view.value, view.depth, aggregate="organisation")
        notice = (
            f"This view holds {shown:,} people, more than can be drawn one by one ({MAX_NODES:,}): "
            "it shows organisations instead, joined by the contacts between their people."
        )
    try:
        graph = store.read(read_map, view)
    except UnknownSubject as e:
        abort(404, str(e))
    G = contact_graph(graph)
    data = vis_data(G, href=reports.page_of)
    page, per_page = page_args(request.args, 50)
    rows = sorted(
        (
            {"name": n["name"], "kind": n["kind"], "degree": n["degree"], "href": n["href"]}
            for n in data["nodes"]
        ),
        key=lambda r: (-r["degree"], r["name"]),
    )
    return render_template(
        "pages/explore.html",
        view=view,
        notice=notice,
        data=data,
        legend=STYLE,
        table=paginate(rows, page, per_page),
        edges=G.number_of_edges(),
        choices={
            "topics": store.read(topic_list),
            "workstreams": store.read(workstream_list),
            "organisations": store.read(organisation_list),
            "places": store.read(place_list),
        },
        regions=M49_REGIONS,
    )


@bp.get("/me")
def me() -> str:
    """What graphapp holds about the signed-in member, and the way to take it away or have it forgotten."""
    viewer = current_viewer()
    profile = get_store().read(member_profile, viewer.member) if viewer.member else None
    return render_template("pages/me.html", profile=profile)


@bp.get("/me/data.json")
def my_data() -> Response:
    """Everything held about the signed-in member, as JSON: their node, every relationship, their account."""
    from graphapp.queries.accounts import account
    from graphapp.queries.subgraph import neighbourhood

    viewer = current_viewer()
    store = get_store()
    held: dict[str, object] = {}
    if viewer.member:
        held["member"] = store.read(member_profile, viewer.member)
        held["graph"] = store.read(neighbourhood, viewer.member, 1) if held["member"] else None
    found = store.read(account, viewer.login or "")
    if found:
        held["account"] = {k: v for k, v in found.items() if k != "password_hash"}
    response = jsonify(held)
    response.headers["Content-Disposition"] = 'attachment; filename="graphapp-my-data.json"'
    return response


@bp.post("/me/consent")
def my_consent() -> Response:
    """The signed-in member's choices: who may see their email, and whether they may be suggested."""
    from graphapp.queries.schema import EMAIL_VISIBILITY, SUGGESTIBLE

    viewer = current_viewer()
    if not viewer.member:
        abort(400, "Your account is not tied to a member of the network.")
    visibility = request.form.get("email_visibility")
    suggestible = request.form.get("suggestible")
    if visibility not in EMAIL_VISIBILITY or suggestible not in SUGGESTIBLE:
        abort(400, f"email_visibility must be one of {', '.join(EMAIL_VISIBILITY)}, suggestible yes or no")
    get_store().write(set_consent, viewer.member, visibility, suggestible)
    flash("Your choices are saved; they apply everywhere at once.")
    return redirect(url_for("pages.me"))  # type: ignore[return-value]


@bp.post("/me/forget")
def forget_me() -> Response:
    """Forget the signed-in member: their node, every relationship, and their accounts, in one go."""
    from graphapp.queries.accounts import delete_account

    viewer = current_viewer()
    if request.form.get("confirm") != "forget me":
        abort(400, "Type 'forget me' in the box to confirm.")

    def forget(tx):  # type: ignore[no-untyped-def]
        if viewer.member:
            forget_member(tx, viewer.member)
        delete_account(tx, viewer.login or "")

    get_store().write(forget)
    session.clear()
    return redirect(url_for("auth.login"))  # type: ignore[return-value]
