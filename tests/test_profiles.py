"""Editing profiles, on both stores: a member their own, a coordinator anyone's; the same checks as an
import; and two people editing at once never silently overwrite each other."""

from __future__ import annotations

import re

import pytest

from graphapp.db import get_store
from graphapp.demo import DEMO_FILES
from graphapp.ingest import import_files
from graphapp.queries.members import MemberFilter, member_ids, member_profile
from tests.helpers import signed_in


@pytest.fixture
def people(app):
    with app.app_context():
        store = get_store()
        import_files(store, DEMO_FILES)
        return store.read(member_ids, MemberFilter(topic="record-linkage"))[:2]


def _form(client, member: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    page = client.get(f"/members/{member}/edit").get_data(as_text=True)
    fields = dict(re.findall(r'<input (?:type="hidden" )?name="(\w+)" value="([^"]*)"', page))
    fields.update(re.findall(r'<input id="\w+" name="(\w+)"(?: type="\w+")? value="([^"]*)"', page))
    fields["topics"] = re.search(
        r'<textarea id="topics" name="topics"[^>]*>(.*?)</textarea>', page, re.S
    ).group(1)
    return {k: v.replace("&amp;", "&").replace("&#39;", "'") for k, v in fields.items()}


def _profile(app, member: str):  # type: ignore[no-untyped-def]
    with app.app_context():
        return get_store().read(member_profile, member)


def test_a_member_edits_their_own_profile_and_no_one_elses(app, people) -> None:
    me, other = people
    client = signed_in(app, "me@example.org", "member", me)
    form = _form(client, me)
    form["title"] = "Head of Data Science"
    form["topics"] = "record linkage:expert; nlp:learning"
    saved = client.post(f"/members/{me}/edit", data=form)
    assert saved.status_code == 302
    profile = _profile(app, me)
    assert profile["title"] == "Head of Data Science"
    assert {(i["id"], i["level"]) for i in profile["interests"]} == {
        ("record-linkage", "expert"),
        ("natural-language-processing", "learning"),  # "nlp" is an alias: the same checks as an import
    }
    assert client.get(f"/members/{other}/edit").status_code == 403
    assert client.post(f"/members/{other}/edit", data=form).status_code == 403


def test_a_coordinator_edits_anyone_and_mistakes_are_refused_whole(app, people) -> None:
    me = people[0]
    coordinator = signed_in(app, "coord@example.org", "coordinator")
    before = _profile(app, me)
    form = _form(coordinator, me)
    form["title"] = "Changed"
    form["topics"] = "record linkage:guru"
    refused = coordinator.post(f"/members/{me}/edit", data=form)
    assert refused.status_code == 400 and "guru" in refused.get_data(as_text=True)
    assert _profile(app, me) == before  # nothing written, not even the title
    form["topics"] = "record linkage:expert"
    assert coordinator.post(f"/members/{me}/edit", data=form).status_code == 302
    assert _profile(app, me)["title"] == "Changed"


def test_a_french_editor_reads_which_field_is_wrong_and_why_in_french(app, people) -> None:
    from graphapp.i18n import COOKIE

    me = people[0]
    coordinator = signed_in(app, "coord@example.org", "coordinator")
    coordinator.set_cookie(COOKIE, "fr")
    form = _form(coordinator, me)
    form["email"] = "ana@"
    page = coordinator.post(f"/members/{me}/edit", data=form).get_data(as_text=True)
    assert "Courriel : &#39;ana@&#39; n’est pas une adresse électronique" in page
    assert "email:" not in page and "is not an email address" not in page


def test_two_editors_at_once_do_not_overwrite_each_other(app, people) -> None:
    me = people[0]
    first = signed_in(app, "one@example.org", "coordinator")
    second = signed_in(app, "two@example.org", "coordinator")
    form_1, form_2 = _form(first, me), _form(second, me)  # both open the form
    form_1["title"] = "Title from the first"
    assert first.post(f"/members/{me}/edit", data=form_1).status_code == 302
    form_2["title"] = "Title from the second"
    late = second.post(f"/members/{me}/edit", data=form_2)
    page = late.get_data(as_text=True)
    assert late.status_code == 409 and "Someone else changed this profile" in page
    assert "Title from the first" in page  # shown as it is now
    assert _profile(app, me)["title"] == "Title from the first"
    # With the fresh form, the second editor's change goes in.
    form_2 = _form(second, me)
    form_2["title"] = "Title from the second"
    assert second.post(f"/members/{me}/edit", data=form_2).status_code == 302
    assert _profile(app, me)["title"] == "Title from the second"
