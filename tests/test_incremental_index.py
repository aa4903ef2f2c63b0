"""After a write that changed a few members, the suggestion index is patched, not rebuilt, and answers as
one built anew would, on both stores: profile saves, an import, consent, an accepted introduction, a
write from a second store object (another process's view), writes at the same moment, and the writes
that must still rebuild it (a change of anything else, an old write the log no longer holds)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from graphapp import introductions
from graphapp.analytics.interest_index import InterestIndex
from graphapp.analytics.suggestions import SCORED_MODES, suggest
from graphapp.demo import DEMO_FILES
from graphapp.ingest import import_files
from graphapp.pages.mydata import save_choices
from graphapp.profiles import FIELDS, form_values, revision, save_profile
from graphapp.queries import schema
from graphapp.queries.interest import read_interests
from graphapp.queries.mail import retry_mail
from graphapp.queries.members import member_profile
from graphapp.queries.schema import graph_revision, members_changed
from graphapp.reports import coverage_report, interest_index
from graphapp.store import LadybugStore, Neo4jStore, Store


@pytest.fixture
def network(store: Store) -> Store:
    """The demo network (150 members), with its index built once, as a running app has it."""
    import_files(store, DEMO_FILES)
    store.read(interest_index)
    return store


def built_anew(tx: Any) -> InterestIndex:
    rows, _ = read_interests(tx)
    return InterestIndex(
        rows.members,
        rows.topics,
        rows.holders,
        rows.employees,
        rows.workstream_members,
        rows.organisation_names,
    )


def answers(index: InterestIndex) -> dict[tuple[str, str], Any]:
    """Every member's suggestions in every mode (everyone may be suggested: all scores compared)."""
    return {
        (m, mode): suggest(index, m, [], limit=20, mode=mode, exclude_own_organisation=False)
        for m in index.member_ids
        for mode in SCORED_MODES
    }


def check(store: Store, before: InterestIndex, patched: bool = True) -> InterestIndex:
    """The index a reader gets now: the same as one built anew, in what it holds and in every answer;
    patched from ``before`` (sharing what did not change) or, with ``patched=False``, built anew."""
    kept, fresh = store.read(lambda tx: (interest_index(tx), built_anew(tx)))
    assert kept.content() == fresh.content()
    # (the table of topics held together, patched when the index it came from had made it: below, every
    # check after the first)
    patched_table = "co_held" in kept.__dict__
    assert np.array_equal(kept.co_held, fresh.co_held), f"co_held (patched: {patched_table})"
    assert answers(kept) == answers(fresh)
    assert (kept.topic_ids is before.topic_ids) == patched  # a patch keeps the topics' list; a build reads it
    return kept


def edit(store: Store, member: str, **changes: str) -> None:
    """Save a member's profile through the profile form's own path, with some fields changed."""
    profile = store.read(member_profile, member)
    values = {**form_values(profile), **changes}
    ticked = changes.get("workstreams", "; ".join(w["id"] for w in profile["workstreams"]))
    store.write(
        save_profile,
        member,
        {f: values[f] for f in FIELDS},
        revision(profile),
        [w for w in ticked.split("; ") if w],
    )


def test_profile_saves_patch_the_index_and_it_answers_as_one_built_anew(network: Store) -> None:
    ix = network.read(interest_index)
    a, b, c = ix.member_ids[:3]
    edit(network, a, topics="record linkage:expert; nlp:learning; web scraped data:practising")
    ix = check(network, ix)
    assert ix.topics_of(ix.member[a]) == {
        "record-linkage": "expert",
        "natural-language-processing": "learning",
        "web-scraped-data": "practising",
    }
    # Several saves before the next reader: name (the order ties are broken in), country, organisation,
    # workstreams, topics taken away.
    ix.name_rank  # noqa: B018 (made, as the first suggestion makes it, so that the patch must keep it true)
    edit(network, b, name="Aaron Aardvark", country="JP", topics="")
    edit(network, c, organisation="Statistics Canada", workstreams="")
    ix = check(network, ix)
    assert ix.topics_of(ix.member[b]) == {} and ix.details(ix.member[c])["workstreams"] == []
    assert ix.name_rank[ix.member[b]] == 0
    # A save that changes nothing the index holds (a title) still answers the same.
    edit(network, a, title="Head of methods")
    check(network, ix)


def test_an_import_of_members_consent_and_an_introduction_patch_it(
    network: Store, tmp_path: Path, app: Any
) -> None:
    ix = network.read(interest_index)
    a, b = ix.member_ids[3], ix.member_ids[4]
    profile = network.read(member_profile, a)
    members = tmp_path / "members.csv"
    members.write_text(
        "name,email,organisation,country,topics\n"
        "Nia Newcomer,nia@example.org,Statistics Canada,CA,record linkage:learning; nlp:expert\n"
        f"{profile['name']},{profile['email']},,,nlp:practising\n",
        encoding="utf-8",
    )
    before = network.read(graph_revision)
    plan = import_files(network, [members])
    assert plan.counts()["Member"]["created"] == 1
    changed = network.read(lambda tx: members_changed(tx, before, graph_revision(tx)))
    assert changed is not None and a in changed and len(changed) == 2  # the import said whom it changed
    ix = check(network, ix)
    nia = ix.member_ids[ix.member_names.index("Nia Newcomer")]
    assert ix.topics_of(ix.member[nia]) == {
        "record-linkage": "learning",
        "natural-language-processing": "expert",
    }
    assert ix.details(ix.member[a])["organisation"] is None

    network.write(save_choices, b, "nobody", "no", "yes")
    ix = check(network, ix)
    assert not ix.suggestible[ix.member[b]]

    now = "2026-11-29T12:00:00+00:00"
    with app.test_request_context():  # (for the links in the mails)
        asked = network.write(introductions.request_introduction, a, b, "hello", "profile", "", now)
        assert network.read(interest_index) is ix  # asking changes no member: the index is kept as it is
        network.write(introductions.answer, True, now, introduction=asked["id"], member=b)
    check(network, ix)


def test_a_write_of_anything_else_builds_it_anew(network: Store, tmp_path: Path) -> None:
    ix = network.read(interest_index)
    network.write(
        lambda tx: tx.run("MATCH (t:Topic {id: 'record-linkage'}) SET t.name = 'Record linkage (RL)'")
    )
    ix = check(network, ix, patched=False)
    assert "Record linkage (RL)" in ix.topic_names
    # An import that makes a topic as well as changing a member: it says it changed more than members.
    files = tmp_path / "topics.csv", tmp_path / "members.csv"
    files[0].write_text("id,name\nquantum-annealing,quantum annealing\n", encoding="utf-8")
    first = ix.member_ids[0]
    profile = network.read(member_profile, first)
    files[1].write_text(
        f"name,email,topics\n{profile['name']},{profile['email']},quantum annealing:expert\n",
        encoding="utf-8",
    )
    import_files(network, files)
    ix = check(network, ix, patched=False)
    assert ix.topics_of(ix.member[first]) == {"quantum-annealing": "expert"}


def test_a_write_the_log_no_longer_holds_or_never_held_builds_it_anew(
    network: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    ix = network.read(interest_index)
    monkeypatch.setattr(schema, "LOG_WRITES", 3)
    for k in range(4):
        network.write(save_choices, ix.member_ids[k], "members", "no", None)
    ix = check(network, ix, patched=False)
    # A revision stamped without a log entry (a graphapp from before the log, or a log lost): built anew.
    network.write(save_choices, ix.member_ids[0], "members", "yes", None)
    network.bookkeep(
        lambda tx: tx.run("MATCH (m:GraphappMeta {key: 'revision'}) SET m.value = 'from-elsewhere'")
    )
    check(network, ix, patched=False)


def test_a_write_that_touches_no_member_keeps_everything(network: Store) -> None:
    ix, report = network.read(lambda tx: (interest_index(tx), coverage_report(tx)))
    before = network.read(graph_revision)
    network.write(retry_mail, "2026-11-29T12:00:00+00:00")
    assert network.read(graph_revision) != before  # a new revision, logged as changing no member
    kept, kept_report = network.read(lambda tx: (interest_index(tx), coverage_report(tx)))
    assert kept is ix and kept_report is report
    network.write(save_choices, ix.member_ids[0], "members", "no", None)
    assert network.read(coverage_report) is not report  # a member changed: the report is made again


def second_view(store: Store, store_config: dict[str, str]) -> Store:
    """Another store object on the same graph, as another process has it (on LadybugDB, which has one
    writing process, the same store from another thread)."""
    if isinstance(store, Neo4jStore):
        return Neo4jStore(store_config["NEO4J_URI"])
    assert isinstance(store, LadybugStore)
    return store


def test_writes_from_another_process_and_at_the_same_moment_are_all_seen(
    network: Store, store_config: dict[str, str]
) -> None:
    ix = network.read(interest_index)
    other = second_view(network, store_config)
    try:
        other_before = other.read(interest_index)  # the other process keeps an index of its own
        since = network.read(graph_revision)
        edit(other, ix.member_ids[5], topics="nlp:expert")
        ix = check(network, ix)
        # Writers that all began from one revision and stamp at once: the log must let no reader skip
        # one. On Neo4j each waits at a barrier after its own change, so that all reach the stamp together.
        at_once = isinstance(network, Neo4jStore)
        barrier = threading.Barrier(4) if at_once else None
        failures: list[BaseException] = []

        def writer(store: Store, member: str) -> Callable[[], None]:
            def change(tx: Any) -> None:
                save_choices(tx, member, "members", "no", None)
                if barrier is not None:
                    barrier.wait(timeout=30)

            def run() -> None:
                try:
                    store.write(change)
                except BaseException as e:  # noqa: BLE001 (reported below)
                    failures.append(e)

            return run

        members = ix.member_ids[10:14]
        threads = [
            threading.Thread(target=writer(network if k % 2 else other, m)) for k, m in enumerate(members)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not failures
        changed = network.read(lambda tx: members_changed(tx, since, graph_revision(tx)))
        assert changed is not None and set(members) | {ix.member_ids[5]} <= changed
        ix = check(network, ix)
        assert not ix.suggestible[[ix.member[m] for m in members]].any()
        if other is not network:  # the other process patches its own index too
            check(other, other_before)
    finally:
        if other is not network:
            other.close()
