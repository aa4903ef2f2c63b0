"""Topic proposals (issue 13), on both stores: a member's proposed topic waits with their interest; a
coordinator approves it (the topic is made, for everyone who proposed the same name), maps it to a topic
the network has (keeping the higher level where one was held), or declines it with a reason that is
mailed; each decision is one transaction, once, and in the history."""

from __future__ import annotations

import pytest

from graphapp.db import get_store
from graphapp.ingest.normalise import member_id
from graphapp.introductions import Refused
from graphapp.proposals import approve_proposal, decline_proposal, map_proposal, propose_topic
from graphapp.queries import history
from graphapp.queries.cypher import Cypher
from graphapp.queries.forgetting import forget_everything
from graphapp.queries.members import member_profile
from graphapp.queries.proposals import proposal, proposals_of, proposals_with_status
from tests.helpers import csrf_token, signed_in

ANA = member_id("timo.okafor@example.org")  # (two members of the demo network)
MAILS = Cypher("MATCH (x:Mail) WHERE x.kind = $kind RETURN x.recipient AS recipient, x.text AS text")


@pytest.fixture
def two(app, demo_app):  # type: ignore[no-untyped-def]
    """Two demo members, each proposing a spelling of one new topic."""
    store = demo_app
    members = sorted(
        m["id"] for m in store.read(lambda tx: tx.run(Cypher("MATCH (m:Member) RETURN m.id AS id")))
    )
    first, second = members[0], members[1]
    with app.test_request_context():
        a = store.write(propose_topic, first, "Causal discovery", "learning")
        b = store.write(propose_topic, second, "causal  Discovery", "expert")
    return store, first, second, a["id"], b["id"]


def _held(store, member: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {i["id"]: i["level"] for i in store.read(member_profile, member)["interests"]}


def test_a_proposal_of_a_topic_the_network_has_is_refused(app, demo_app) -> None:
    with app.test_request_context(), pytest.raises(Refused) as e:
        demo_app.write(propose_topic, ANA, "RECORD-linkage", "expert")
    assert e.value.status == 400 and "is a topic already ('record linkage')" in e.value.message


def test_approving_makes_the_topic_for_everyone_who_proposed_it(app, two) -> None:
    store, first, second, a, b = two
    with app.test_request_context():
        done = store.write(approve_proposal, a, "coord")
        with pytest.raises(Refused) as again:
            store.write(approve_proposal, b, "coord")  # decided with the first: the same name
    assert again.value.status == 409
    assert done["topic"] == "causal-discovery" and sorted(done["members"]) == sorted([first, second])
    assert _held(store, first)["causal-discovery"] == "learning"
    assert _held(store, second)["causal-discovery"] == "expert"
    assert store.read(proposals_with_status, "waiting") == []
    assert {store.read(proposal, p)["status"] for p in (a, b)} == {"approved"}
    # In the history: the topic made, and each member's topics as the member format says.
    made = store.read(history.changes, kind="proposal", limit=1000)
    topic_change = next(c for c in made if c["subject"] == "topic:causal-discovery")
    assert history.values(topic_change) == ({}, {"name": "Causal discovery"})  # (one spelling: no alias)
    mine = next(c for c in made if c["member"] == first and c["subject"] == f"member:{first}")
    before, after = history.values(mine)
    assert (
        "causal-discovery:learning" in after["topics"] and "causal-discovery:learning" not in before["topics"]
    )
    assert mine["batch"] == topic_change["batch"]


def test_mapping_moves_the_interest_and_keeps_the_higher_level(app, two) -> None:
    store, first, second, a, b = two
    if "causal-inference" not in _held(store, first):
        store.write(
            lambda tx: tx.run(
                Cypher(
                    "MATCH (m:Member {id: $id}), (t:Topic {id: 'causal-inference'}) "
                    "CREATE (m)-[:INTERESTED_IN {level: 'practising'}]->(t)"
                ),
                id=first,
            )
        )
    with app.test_request_context():
        with pytest.raises(Refused) as wrong:
            store.write(map_proposal, a, "causal infrence", "coord")
        assert "Did you mean 'causal inference'?" in wrong.value.message
        done = store.write(map_proposal, a, "Causal Inference", "coord")
    assert done["topic"] == "causal-inference"
    assert _held(store, second)["causal-inference"] == "expert"
    assert LEVEL_ORDER(_held(store, first)["causal-inference"]) >= LEVEL_ORDER("practising")
    assert "Causal discovery" not in {
        t["name"] for t in store.read(lambda tx: tx.run(Cypher("MATCH (t:Topic) RETURN t.name AS name")))
    }


def LEVEL_ORDER(level: str) -> int:  # noqa: N802
    from graphapp.queries.schema import LEVELS

    return LEVELS.index(level)


def test_declining_mails_the_reason_and_changes_no_interest(app, two) -> None:
    store, first, _second, a, _b = two
    before = _held(store, first)
    with app.test_request_context():
        with pytest.raises(Refused):
            store.write(decline_proposal, a, "coord", "  ")
        store.write(decline_proposal, a, "coord", "Please use 'causal inference'.")
    assert _held(store, first) == before
    assert store.read(proposal, a)["status"] == "declined"
    (mail,) = store.read(lambda tx: tx.run(MAILS, kind="topic_proposal"))
    assert "Please use 'causal inference'." in mail["text"] and "Causal discovery" in mail["text"]
    assert len(store.read(proposals_with_status, "waiting")) == 1  # the other spelling still waits


def test_the_queue_page_decides_and_members_may_not(app, two) -> None:
    store, first, _second, a, b = two
    member = signed_in(app, "m@example.org", "member", first)
    assert member.get("/topics/proposals").status_code == 403
    client = signed_in(app, "coord@example.org", "coordinator")
    page = client.get("/topics/proposals").get_data(as_text=True)
    assert "2 proposed topics wait" in page and "Causal discovery" in page
    home = client.get("/").get_data(as_text=True)
    assert "<strong>2</strong> proposed topics wait" in home
    token = csrf_token(client, "/topics/proposals")
    empty = client.post(f"/topics/proposals/{a}/decline", data={"csrf_token": token, "reason": ""})
    assert empty.status_code == 400 and "Give a reason" in empty.get_data(as_text=True)
    approved = client.post(
        f"/topics/proposals/{a}/approve", data={"csrf_token": token, "name": "causal discovery"}
    )
    assert approved.status_code == 302
    assert "causal-discovery" in _held(store, first)
    assert client.post(f"/topics/proposals/{b}/approve", data={"csrf_token": token}).status_code == 409
    assert "No proposed topic is waiting" in client.get("/topics/proposals").get_data(as_text=True)


def test_the_cli_lists_and_decides(runner, app) -> None:
    runner.invoke("demo")
    with app.test_request_context():
        store = get_store()
        made = store.write(propose_topic, ANA, "Graph neural networks", "learning")
    listed = runner.invoke("proposals", "list")
    assert listed.exit_code == 0 and "Graph neural networks\tlearning" in listed.stdout
    wrong = runner.invoke("proposals", "map", made["id"], "deep lerning")
    assert wrong.exit_code == 1 and "Did you mean 'deep learning'?" in wrong.stderr
    done = runner.invoke("proposals", "map", made["id"], "Deep Learning")
    assert done.exit_code == 0, done.stderr
    assert "mapped to topic deep-learning (deep learning); 1 member(s) changed" in done.stdout
    assert runner.invoke("proposals", "list").stderr.strip() == "0 proposal(s) waiting"
    decided = runner.invoke("proposals", "decline", made["id"], "--reason", "x")
    assert decided.exit_code == 1 and "This proposal was mapped already." in decided.stderr


def test_forgetting_a_member_drops_their_proposals(app, two) -> None:
    store, first, _second, _a, _b = two
    assert store.read(proposals_of, first)
    store.write(forget_everything, first)
    assert store.read(proposals_of, first) == []
    assert all(p["member"] != first for p in store.read(proposals_with_status, "waiting"))


def test_the_join_form_proposes_a_topic_that_becomes_the_new_members_proposal(
    app, demo_app, anonymous
) -> None:
    from graphapp.joining import form_catalog
    from tests.test_joining import ask, confirmed, valid_form

    with app.app_context():
        catalog = get_store().read(form_catalog)
    near = valid_form(catalog, new_topic="causal infrence", new_topic_level="expert")
    refused = ask(anonymous, near)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "did you mean ‘causal inference’?" in page
    assert 'value="causal infrence"' in page  # (what was typed is kept)
    proposed = valid_form(catalog, new_topic="Graph neural networks", new_topic_level="expert")
    request_id = confirmed(app, anonymous, proposed)
    coordinator = signed_in(app, "coord@example.org", "coordinator")
    queue = coordinator.get("/join/requests").get_data(as_text=True)
    assert "Proposes new topics" in queue and "Graph neural networks" in queue
    token = csrf_token(coordinator, "/join/requests")
    assert (
        coordinator.post(f"/join/requests/{request_id}/approve", data={"csrf_token": token}).status_code
        == 302
    )
    new_member = member_id("ana.joiner@stat.example.org")
    with app.app_context():
        (waiting,) = get_store().read(proposals_of, new_member)
    assert (waiting["name"], waiting["level"]) == ("Graph neural networks", "expert")
