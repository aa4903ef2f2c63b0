"""The competence taxonomy (issue 14 §3), on both stores: the shipped EDSF-derived file imports cleanly and
places every demo topic; the tree reads back; importing it again changes (and records) nothing; another
file replaces it whole; every bad input names its row, field and why, suggests the closest topics, and
writes nothing; the history has it, by its actor; a merge keeps a topic's areas; backups keep them; the
maps leave them out; the pages, the CLI and the API."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from graphapp import vocabulary
from graphapp.backup import restore, snapshot
from graphapp.db import get_store
from graphapp.demo import DEMO_DIR, DEMO_FILES
from graphapp.ingest import ImportRejected, import_files
from graphapp.queries import history
from graphapp.queries.members import topic_list
from graphapp.queries.subgraph import neighbourhood, whole_network
from graphapp.taxonomy import EDSF_FILE, import_taxonomy, place_of_topic, taxonomy_tree
from tests.helpers import csrf_token, signed_in

DEMO_TOPICS = DEMO_DIR / "topics.csv"
DEMO_THEMES = DEMO_DIR / "themes.csv"  # (the demo's topics name the themes they serve)


def demo_topic_ids() -> set[str]:
    with DEMO_TOPICS.open(encoding="utf-8") as f:
        return {row["id"] for row in csv.DictReader(f)}


def taxonomy_csv(
    rows: list[dict[str, str]], columns: tuple[str, ...] = ("id", "name", "broader", "topics")
) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def load(store: Any, data: bytes, file: str = "mine.csv") -> Any:
    return store.write(import_taxonomy, data, file)


def all_areas(tree: dict[str, Any]) -> list[dict[str, Any]]:
    found = []

    def walk(area: dict[str, Any]) -> None:
        found.append(area)
        for narrower in area["narrower"]:
            walk(narrower)

    for area in tree["areas"]:
        walk(area)
    return found


def placed_topics(tree: dict[str, Any]) -> dict[str, set[str]]:
    """Each topic's areas, by id."""
    out: dict[str, set[str]] = {}
    for area in all_areas(tree):
        for t in area["topics"]:
            out.setdefault(t["id"], set()).add(area["id"])
    return out


def taxonomy_changes(store: Any) -> list[dict[str, Any]]:
    return store.read(lambda tx: history.changes(tx, kind="taxonomy"))


@pytest.fixture
def topics_only(store: Any) -> Any:
    """The demo's topics, without members: enough to place them."""
    import_files(store, [DEMO_THEMES, DEMO_TOPICS])
    return store


def test_the_shipped_taxonomy_imports_cleanly_and_places_every_demo_topic(store) -> None:
    import_files(store, DEMO_FILES)
    change = store.write(import_taxonomy, EDSF_FILE.read_bytes(), "edsf.csv")
    assert change.headline() == "edsf.csv: 35 areas, 32 topics placed"
    tree = store.read(taxonomy_tree)
    assert [a["name"] for a in tree["areas"]] == [
        "Data Science Analytics",
        "Data Science Engineering",
        "Data Management",
        "Research Methods and Project Management",
        "Domain Knowledge: Business Analytics",
    ]
    assert [len(a["narrower"]) for a in tree["areas"]] == [6, 6, 6, 6, 6]
    assert tree["count"] == 35 and tree["topics_placed"] == len(demo_topic_ids())
    assert set(placed_topics(tree)) == demo_topic_ids()  # every demo topic sits somewhere
    dsdm = tree["areas"][2]
    assert dsdm["narrower"][2]["name"] == "DSDM03 Data integration"
    assert dsdm["narrower"][2]["description"].startswith("Integrate heterogeneous data from multiple source")
    # Each topic's holders per level are the topic list's.
    held = {t["id"]: t for t in store.read(topic_list)}
    linkage = next(t for t in dsdm["narrower"][2]["topics"] if t["id"] == "record-linkage")
    assert linkage["levels"] == {
        lv: held["record-linkage"][lv] for lv in ("expert", "practising", "learning")
    }
    assert sum(linkage["levels"].values()) > 0
    assert tree["sources"] and tree["sources"][0].startswith("EDISON Data Science Competence Framework")
    assert store.read(place_of_topic, "record-linkage") == [
        [{"id": "dsdm", "name": "Data Management"}, {"id": "dsdm03", "name": "DSDM03 Data integration"}]
    ]


def test_importing_the_same_file_again_changes_and_records_nothing(topics_only) -> None:
    store = topics_only
    first = store.write(import_taxonomy, EDSF_FILE.read_bytes(), "edsf.csv")
    assert not first.is_empty() and len(first.added) == 35
    held = store.read(taxonomy_tree)
    again = store.write(import_taxonomy, EDSF_FILE.read_bytes(), "edsf.csv")
    assert again.is_empty() and "nothing to change" in again.summary()
    assert store.read(taxonomy_tree) == held
    assert len(taxonomy_changes(store)) == 1


def test_another_taxonomy_replaces_the_one_held_whole(topics_only) -> None:
    store = topics_only
    store.write(import_taxonomy, EDSF_FILE.read_bytes(), "edsf.csv")
    mine = taxonomy_csv(
        [
            {"id": "methods", "name": "Methods", "broader": "", "topics": "Record Linkage; ÉTHICS"},
            {"id": "linkage", "name": "Linkage", "broader": "methods", "topics": "record-linkage"},
        ]
    )
    change = load(store, mine, "mine.csv")
    assert len(change.removed) == 35 and change.added == ["Methods", "Linkage"]
    assert "ethics (now in Methods)" in change.moved
    assert "data visualisation" in change.unplaced
    tree = store.read(taxonomy_tree)
    assert [a["id"] for a in all_areas(tree)] == ["methods", "linkage"]
    assert placed_topics(tree) == {"record-linkage": {"methods", "linkage"}, "ethics": {"methods"}}
    assert tree["sources"] == []  # (the EDSF's attribution went with its areas)
    assert [c["summary"] for c in taxonomy_changes(store)][0].startswith("mine.csv: 2 areas, 2 topics placed")


BAD = {
    "missing id": (
        [{"id": "", "name": "Nameless", "broader": "", "topics": ""}],
        "row 2",
        "id",
        "is missing",
    ),
    "missing name": ([{"id": "a", "name": "", "broader": "", "topics": ""}], "row 2", "name", "is missing"),
    "duplicate id": (
        [
            {"id": "a", "name": "A", "broader": "", "topics": ""},
            {"id": "A", "name": "A2", "broader": "", "topics": ""},
        ],
        "row 3",
        "id",
        "appears twice (first in row 2)",
    ),
    "unknown broader": (
        [{"id": "a", "name": "A", "broader": "nowhere", "topics": ""}],
        "row 2",
        "broader",
        "is not the id of any area in this file",
    ),
    "a cycle": (
        [
            {"id": "a", "name": "A", "broader": "c", "topics": ""},
            {"id": "b", "name": "B", "broader": "a", "topics": ""},
            {"id": "c", "name": "C", "broader": "b", "topics": ""},
        ],
        "row 2",
        "broader",
        "makes a cycle: a › c › b › a",
    ),
    "an area its own broader": (
        [{"id": "a", "name": "A", "broader": "a", "topics": ""}],
        "row 2",
        "broader",
        "makes a cycle: a › a",
    ),
    "unknown topic": (
        [{"id": "a", "name": "A", "broader": "", "topics": "record linkage; recrd linkage"}],
        "row 2",
        "topics",
        "'recrd linkage' is not a topic of the network; did you mean 'record linkage'?",
    ),
    "retired topic": (
        [{"id": "a", "name": "A", "broader": "", "topics": "Ethics"}],
        "row 2",
        "topics",
        "is a topic a coordinator retired",
    ),
    "too deep": (
        [{"id": "l0", "name": "L0", "broader": "", "topics": ""}]
        + [{"id": f"l{i}", "name": f"L{i}", "broader": f"l{i - 1}", "topics": ""} for i in range(1, 9)],
        "row 10",
        "broader",
        "puts this area more than 8 levels down",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_refused_with_its_row_field_and_why_and_nothing_is_written(topics_only, case) -> None:
    store = topics_only
    store.write(import_taxonomy, EDSF_FILE.read_bytes(), "edsf.csv")
    if case == "retired topic":
        store.write(vocabulary.retire, "ethics")
    held = store.read(taxonomy_tree)
    rows, row, column, why = BAD[case]
    with pytest.raises(ImportRejected) as refused:
        load(store, taxonomy_csv(rows), "bad.csv")
    said = [str(p) for p in refused.value.problems]
    assert any(p.startswith(f"bad.csv, {row}, column '{column}'") and why in p for p in said), said
    assert store.read(taxonomy_tree) == held
    assert len(taxonomy_changes(store)) == 1
    if case == "unknown topic":
        assert refused.value.problems[0].suggestions == ("record linkage",)


def test_a_file_without_the_columns_or_areas_is_refused(topics_only) -> None:
    with pytest.raises(ImportRejected, match=r"bad.csv, row 1, column 'name': is missing"):
        load(topics_only, b"id,title\na,A\n", "bad.csv")
    with pytest.raises(ImportRejected, match=r"column 'title': is not a column of a taxonomy file"):
        load(topics_only, b"id,name,title\na,A,x\n", "bad.csv")
    with pytest.raises(ImportRejected, match=r"bad.csv: holds no areas"):
        load(topics_only, b"id,name\n", "bad.csv")
    with pytest.raises(ImportRejected, match=r"bad.csv: is not UTF-8"):
        load(topics_only, "id,name\na,Économie\n".encode("latin-1"), "bad.csv")
    # A quote opened and never closed would swallow every later row: refused, not read as one long cell.
    with pytest.raises(ImportRejected, match=r"bad.csv, row 4: is not well-formed CSV"):
        load(topics_only, b'id,name,description\na,A,"opened\nb,B,x\nc,C,y\n', "bad.csv")
    with pytest.raises(ImportRejected, match=r"bad.csv, row \d+: is not well-formed CSV"):
        load(topics_only, b'id,name,description\na,A,"' + b"x" * 200_000 + b"\n", "bad.csv")
    assert topics_only.read(taxonomy_tree)["count"] == 0


def test_line_breaks_read_the_same_however_they_came(topics_only) -> None:
    """A description keeps its line breaks; the same file with Windows line ends (or as a browser's form
    sends it back) is the same taxonomy: nothing to change."""
    unix = b'id,name,description\na,A,"first line\nsecond line"\n'
    load(topics_only, unix)
    assert all_areas(topics_only.read(taxonomy_tree))[0]["description"] == "first line\nsecond line"
    assert load(topics_only, unix.replace(b"\n", b"\r\n")).is_empty()


def test_the_history_has_the_import_by_its_actor(topics_only) -> None:
    with history.acting_as("account:coordinator@example.org"):
        topics_only.write(import_taxonomy, EDSF_FILE.read_bytes(), "edsf.csv")
    (change,) = taxonomy_changes(topics_only)
    assert change["by"] == "account:coordinator@example.org" and change["subject"] == "taxonomy"
    assert change["summary"] == "edsf.csv: 35 areas, 32 topics placed (35 added, 32 topics placed anew)"
    assert change["member"] == ""
    # What it replaced stays readable: the areas, their links and the placements, before and after.
    before, after = history.values(change)
    assert before == {"areas": [], "broader": [], "places": []}
    assert "dsdm03: DSDM03 Data integration" in after["areas"] and "dsdm03 > dsdm" in after["broader"]
    assert "record-linkage > dsdm03" in after["places"]
    load(topics_only, taxonomy_csv([{"id": "x", "name": "X", "broader": "", "topics": "record linkage"}]))
    newest = taxonomy_changes(topics_only)[0]
    before, after = history.values(newest)
    assert "dsdm03: DSDM03 Data integration" in before["areas"] and after["areas"] == ["x: X"]
    assert after["places"] == ["record-linkage > x"]


def test_a_merge_keeps_the_topics_areas_and_a_rename_too(topics_only) -> None:
    store = topics_only
    load(
        store,
        taxonomy_csv(
            [
                {"id": "x", "name": "X", "broader": "", "topics": "web scraped data"},
                {"id": "y", "name": "Y", "broader": "", "topics": "scanner data and prices"},
                {
                    "id": "z",
                    "name": "Z",
                    "broader": "",
                    "topics": "web scraped data; scanner data and prices",
                },
            ]
        ),
    )
    store.write(vocabulary.merge, "topic", "web scraped data", "scanner data and prices")
    tree = store.read(taxonomy_tree)
    assert placed_topics(tree) == {"scanner-data": {"x", "y", "z"}}
    links = store.read(
        lambda tx: tx.run("MATCH (:Topic)-[p:IN_AREA]->(:Area {id: 'z'}) RETURN count(p) AS n")
    )
    assert links == [{"n": 1}]  # (z held both: placed once)
    store.write(vocabulary.rename, "topic", "scanner data and prices", "scanner and web data")
    assert [t["name"] for t in all_areas(store.read(taxonomy_tree))[0]["topics"]] == ["scanner and web data"]


def test_a_backup_and_its_restore_keep_the_areas(topics_only, tmp_path: Path) -> None:
    store = topics_only
    store.write(import_taxonomy, EDSF_FILE.read_bytes(), "edsf.csv")
    held = store.read(taxonomy_tree)
    data = store.read(snapshot)
    assert len(data["nodes"]["Area"]) == 35 and len(data["relationships"]["BROADER"]) == 30
    assert len(data["relationships"]["IN_AREA"]) == 34  # (32 topics, two of them in two areas)
    restore(store, json.loads(json.dumps(data)), replace=True)
    assert store.read(taxonomy_tree) == held


def test_the_whole_map_draws_the_areas_and_a_members_map_leaves_them_out(store) -> None:
    """Issue 14 §6: the whole network's map holds the taxonomy; a member's neighbourhood does not (a
    topic's map holds its own areas: tests/test_journey_maps.py)."""
    import_files(store, DEMO_FILES)
    store.write(import_taxonomy, EDSF_FILE.read_bytes(), "edsf.csv")
    whole = store.read(whole_network)
    areas = {n["properties"]["id"] for n in whole["nodes"] if n["label"] == "Area"}
    assert {"dsda", "dsda01", "dsdm"} <= areas
    assert {"IN_AREA", "BROADER"} <= {r["type"] for r in whole["relationships"]}
    someone = next(n["key"].split(":", 1)[1] for n in whole["nodes"] if n["label"] == "Member")
    near = store.read(neighbourhood, someone, 2)
    assert "Area" not in {n["label"] for n in near["nodes"]}


# --- Pages ----------------------------------------------------------------------------------------------


@pytest.fixture
def coordinator(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        import_files(get_store(), DEMO_FILES)
    return signed_in(app, "coordinator@example.org", "coordinator")


def test_the_areas_page_draws_the_hierarchy_with_holders_and_the_attribution(app, coordinator) -> None:
    page = coordinator.get("/areas").get_data(as_text=True)
    assert "No competence taxonomy has been loaded yet" in page and "Import one" in page
    with app.app_context():
        get_store().write(import_taxonomy, EDSF_FILE.read_bytes(), "edsf.csv")
        held = {t["id"]: t for t in get_store().read(topic_list)}
    page = coordinator.get("/areas").get_data(as_text=True)
    assert '<h2 id="area-dsdm-heading">Data Management</h2>' in page
    assert '<h3 id="area-dsdm03-heading">DSDM03 Data integration</h3>' in page
    section = page.split('id="area-dsdm03"', 1)[1].split("</section>", 1)[0]
    assert '<a href="/topics/record-linkage">record linkage</a>' in section
    expert = held["record-linkage"]["expert"]
    assert f'aria-label="{expert} expert in record linkage"' in section
    assert (
        "No topic is placed in this area yet."
        in page.split('id="area-dsba01"', 1)[1].split("</section>", 1)[0]
    )
    assert "Associate = learning, Professional = practising, Expert = expert" in page
    foot = page.split('class="attribution"', 1)[1]
    assert "EDISON Data Science Competence Framework" in foot and "CC BY 4.0" in foot
    assert "https://" not in page.split("<main", 1)[1].split("</main>", 1)[0].replace('href="https', "")
    # A member sees it too, without the import link.
    member = signed_in(app, "member@example.org", "member")
    seen = member.get("/areas").get_data(as_text=True)
    assert "DSDM03 Data integration" in seen and "Import another taxonomy" not in seen


def test_the_topic_page_says_where_the_topic_sits(app, coordinator) -> None:
    page = coordinator.get("/topics/record-linkage").get_data(as_text=True)
    assert "Competence area" not in page
    with app.app_context():
        get_store().write(import_taxonomy, EDSF_FILE.read_bytes(), "edsf.csv")
    page = coordinator.get("/topics/record-linkage").get_data(as_text=True)
    assert re.search(
        r'Competence area: <a href="/areas#area-dsdm">Data Management</a> › '
        r'<a href="/areas#area-dsdm03">DSDM03 Data integration</a>',
        page,
    )


def test_the_coordinators_topic_page_says_where_the_topic_sits(app, coordinator) -> None:
    page = coordinator.get("/topics/manage/record-linkage").get_data(as_text=True)
    assert "<dt>Competence areas</dt><dd>(in no area" in page
    with app.app_context():
        get_store().write(import_taxonomy, EDSF_FILE.read_bytes(), "edsf.csv")
    page = coordinator.get("/topics/manage/record-linkage").get_data(as_text=True)
    assert (
        '<dt>Competence areas</dt><dd><a href="/areas#area-dsdm">Data Management</a> › '
        '<a href="/areas#area-dsdm03">DSDM03 Data integration</a></dd>'
    ) in page


def test_a_french_coordinator_reads_what_a_taxonomy_would_change_in_french(coordinator) -> None:
    from graphapp.i18n import COOKIE

    coordinator.set_cookie(COOKIE, "fr")
    token = csrf_token(coordinator, "/areas/import")
    upload = {"csrf_token": token, "file": (io.BytesIO(EDSF_FILE.read_bytes()), "edsf.csv")}
    page = coordinator.post("/areas/import", data=upload, content_type="multipart/form-data").get_data(
        as_text=True
    )
    assert "edsf.csv : 35 domaines, 32 sujets placés" in page
    assert "35 domaines seraient ajoutés" in page and "32 sujets seraient placés" in page
    assert "would be added" not in page and "topics placed" not in page


def test_an_upload_shows_what_would_change_then_a_confirm_writes_it(app, coordinator) -> None:
    token = csrf_token(coordinator, "/areas/import")
    upload = {"csrf_token": token, "file": (io.BytesIO(EDSF_FILE.read_bytes()), "edsf.csv")}
    answer = coordinator.post("/areas/import", data=upload, content_type="multipart/form-data")
    page = answer.get_data(as_text=True)
    assert (
        answer.status_code == 200 and "What importing edsf.csv would change (nothing was written yet)" in page
    )
    assert "35 areas would be added" in page and "32 topics would be placed" in page
    with app.app_context():
        assert get_store().read(taxonomy_tree)["count"] == 0
    text = re.search(r'<textarea name="text" hidden aria-hidden="true">(.*?)</textarea>', page, re.S)
    assert text
    import html

    confirm = {
        "csrf_token": token,
        "name": "edsf.csv",
        "text": html.unescape(text.group(1)),
        "confirm": "yes",
    }
    done = coordinator.post("/areas/import", data=confirm, follow_redirects=True)
    assert "Imported edsf.csv: 35 areas, 32 topics placed." in done.get_data(as_text=True)
    with app.app_context():
        assert get_store().read(taxonomy_tree)["count"] == 35
        (change,) = taxonomy_changes(get_store())
    assert change["by"] == "account:coordinator@example.org"
    # The same again: nothing would change, and nothing to confirm.
    upload = {"csrf_token": token, "file": (io.BytesIO(EDSF_FILE.read_bytes()), "edsf.csv")}
    page = coordinator.post("/areas/import", data=upload, content_type="multipart/form-data").get_data(
        as_text=True
    )
    assert "Nothing: this is the taxonomy held already." in page and 'name="confirm"' not in page


def test_an_upload_with_problems_lists_them_and_writes_nothing(app, coordinator) -> None:
    token = csrf_token(coordinator, "/areas/import")
    bad = taxonomy_csv([{"id": "a", "name": "A", "broader": "b", "topics": "recrd linkage"}])
    answer = coordinator.post(
        "/areas/import",
        data={"csrf_token": token, "file": (io.BytesIO(bad), "../../mine.csv")},
        content_type="multipart/form-data",
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "Nothing was imported: 2 problems" in page
    assert (
        "mine.csv, row 2, column &#39;broader&#39;: &#39;b&#39; is not the id of any area in this file"
        in page
    )
    assert "did you mean &#39;record linkage&#39;?" in page
    answer = coordinator.post(
        "/areas/import",
        data={"csrf_token": token, "file": (io.BytesIO(b"x"), "mine.xlsx")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400 and "a taxonomy is imported from a CSV file" in answer.get_data(
        as_text=True
    )
    # A confirm is checked again: text that went wrong on the way is refused as well.
    answer = coordinator.post(
        "/areas/import",
        data={"csrf_token": token, "name": "mine.csv", "text": "id,name\n,Nameless\n", "confirm": "yes"},
    )
    assert answer.status_code == 400 and "is missing" in answer.get_data(as_text=True)
    with app.app_context():
        assert get_store().read(taxonomy_tree)["count"] == 0
        assert taxonomy_changes(get_store()) == []


def test_the_shipped_taxonomy_can_be_loaded_again_from_the_page(app, coordinator) -> None:
    token = csrf_token(coordinator, "/areas/import")
    page = coordinator.post("/areas/import", data={"csrf_token": token, "shipped": "edsf"}).get_data(
        as_text=True
    )
    assert "What importing edsf.csv would change" in page and "35 areas would be added" in page
    # To adapt it to a network with other topics: the file, with its attribution, to download.
    got = coordinator.get("/areas/edsf.csv")
    assert got.status_code == 200 and got.mimetype == "text/csv"
    assert got.data == EDSF_FILE.read_bytes() and b"EDISON Data Science Competence Framework" in got.data


# --- CLI and API ----------------------------------------------------------------------------------------


def test_the_cli_imports_checks_and_shows_the_taxonomy(runner, tmp_path: Path) -> None:
    assert runner.invoke("import", str(DEMO_THEMES), str(DEMO_TOPICS)).exit_code == 0
    dry = runner.invoke("taxonomy", "import", str(EDSF_FILE), "--dry-run")
    assert dry.exit_code == 0 and dry.stdout.startswith("dry run: nothing was written\nedsf.csv: 35 areas")
    assert "35 areas would be added" in dry.stdout
    assert runner.invoke("taxonomy", "show").stderr.strip() == (
        "no taxonomy: import one with `graphapp taxonomy import FILE`"
    )
    done = runner.invoke("taxonomy", "import", str(EDSF_FILE), "--json")
    assert done.exit_code == 0
    said = json.loads(done.stdout)
    assert said["areas"] == 35 and said["topics_placed"] == 32 and len(said["added"]) == 35
    shown = runner.invoke("taxonomy", "show")
    assert shown.exit_code == 0
    lines = shown.stdout.splitlines()
    assert (
        lines[0] == "Data Science Analytics [dsda]" and "  DSDA01 Data analytics techniques [dsda01]" in lines
    )
    assert "    - record linkage: nobody yet" in lines
    assert "35 areas, 32 topics placed" in shown.stderr and "source: EDISON" in shown.stderr
    tree = json.loads(runner.invoke("taxonomy", "show", "--json").stdout)
    assert tree["count"] == 35 and tree["areas"][0]["id"] == "dsda"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(taxonomy_csv([{"id": "a", "name": "A", "broader": "a", "topics": "astrophysics"}]))
    refused = runner.invoke("taxonomy", "import", str(bad))
    assert refused.exit_code == 1 and refused.stdout == ""
    assert refused.stderr.splitlines()[0] == "graphapp: import rejected: 2 problems; nothing was written"
    assert "bad.csv, row 2, column 'broader': 'a' makes a cycle: a › a" in refused.stderr
    assert json.loads(runner.invoke("taxonomy", "show", "--json").stdout)["count"] == 35


def test_the_demo_loads_the_shipped_taxonomy_after_the_network(runner) -> None:
    loaded = runner.invoke("demo")
    assert (
        loaded.exit_code == 0
        and "competence taxonomy: edsf.csv: 35 areas, 32 topics placed (loaded)" in loaded.stdout
    )
    again = runner.invoke("demo")
    assert again.exit_code == 0 and again.stdout.rstrip().endswith(
        "competence taxonomy: kept the one held (`graphapp taxonomy import` replaces it)"
    )


def test_the_demo_keeps_a_taxonomy_a_coordinator_imported(runner, tmp_path: Path) -> None:
    assert runner.invoke("demo").exit_code == 0
    mine = tmp_path / "mine.csv"
    mine.write_bytes(taxonomy_csv([{"id": "x", "name": "Mine", "broader": "", "topics": "record linkage"}]))
    assert runner.invoke("taxonomy", "import", str(mine)).exit_code == 0
    assert runner.invoke("demo").exit_code == 0
    shown = runner.invoke("taxonomy", "show", "--json")
    assert [a["name"] for a in json.loads(shown.stdout)["areas"]] == ["Mine"]


def test_the_api_gives_the_tree_with_topic_ids(app, coordinator) -> None:
    with app.app_context():
        get_store().write(import_taxonomy, EDSF_FILE.read_bytes(), "edsf.csv")
    body = coordinator.get("/api/areas").get_json()
    assert body["count"] == 35 and body["topics_placed"] == 32
    dsda01 = body["areas"][0]["narrower"][0]
    assert dsda01["id"] == "dsda01" and "classification-and-coding" in {t["id"] for t in dsda01["topics"]}
    assert set(dsda01["topics"][0]["levels"]) == {"expert", "practising", "learning"}
    assert "/api/areas" in coordinator.get("/api/openapi.json").get_json()["paths"]


def test_hostile_names_in_a_taxonomy_are_shown_as_text(app, coordinator) -> None:
    hostile = '<script>alert("x")</script>'
    with app.app_context():
        get_store().write(
            import_taxonomy,
            taxonomy_csv(
                [{"id": "x", "name": hostile, "broader": "", "topics": "ethics", "source": hostile}],
                ("id", "name", "broader", "topics", "source"),
            ),
            "x.csv",
        )
    for url in ("/areas", "/topics/ethics"):
        page = coordinator.get(url).get_data(as_text=True)
        assert hostile not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page, url


def test_a_taxonomy_import_leaves_the_suggestion_index_as_it_is(topics_only) -> None:
    """It changes no member, and says so: readers keep their interest index rather than build it anew."""
    from graphapp.queries.schema import graph_revision, members_changed

    store = topics_only
    before = store.read(graph_revision)
    store.write(import_taxonomy, EDSF_FILE.read_bytes(), "edsf.csv")
    store.write(import_taxonomy, EDSF_FILE.read_bytes(), "edsf.csv")  # (and one that changes nothing)
    after = store.read(graph_revision)
    assert after != before and store.read(members_changed, before, after) == set()
