"""The network over time: joined dates in imports, coverage as of a day, growth month by month.

Until every write records itself in the history, these tests write the network with imports and record
what each import changed in the history's format for members and nodes (the common format of issue 13),
then date those changes to the day the test plays. The as-of report of each day is checked against the
report of the graph as it actually was that day, captured at the time by the ordinary coverage report.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from graphapp.analytics.growth import Snapshot, as_of, growth
from graphapp.cli import cli
from graphapp.ingest import import_files
from graphapp.ingest.normalise import member_id
from graphapp.ingest.problems import ImportRejected
from graphapp.queries import history
from graphapp.queries.cypher import Tx
from graphapp.queries.forgetting import forget_everything
from graphapp.reports import coverage_report_as_of, coverage_report_of, growth_report
from tests.helpers import member, write_csv

KINDS = ("members", "topics", "organisations", "workstreams")


def _redate(tx: Tx, since: str, day: date) -> None:
    """Date the changes recorded since ``since`` (real time) to ``day``, keeping their time of day."""
    found = tx.run("MATCH (c:Change) WHERE c.at >= $since RETURN c.id AS id, c.at AS at", since=since)
    rows = [{"id": r["id"], "at": day.isoformat() + r["at"][10:]} for r in found]
    tx.run("UNWIND $rows AS row MATCH (c:Change {id: row.id}) SET c.at = row.at", rows=rows)


def _counts(tx: Tx) -> dict[str, int]:
    """The network's size, counted directly in the graph."""

    def one(q: str) -> int:
        return int(tx.run(q)[0]["n"])

    return {
        "members": one("MATCH (m:Member) RETURN count(m) AS n"),
        "organisations": one("MATCH (m:Member)-[:WORKS_AT]->(o:Organisation) RETURN count(DISTINCT o) AS n"),
        "countries": one(
            "MATCH (m:Member) WHERE m.country IS NOT NULL RETURN count(DISTINCT m.country) AS n"
        ),
        "contacts": one("MATCH (a:Member)-[:KNOWS]->(b:Member) RETURN count(*) AS n"),
        "WS1": one("MATCH (m:Member)-[:MEMBER_OF]->(w:Workstream {id: 'WS1'}) RETURN count(m) AS n"),
    }


class Play:
    """Days of a network's life, played on a store: each day's writes record themselves in the history
    and are dated here to the day; what the coverage report said and what the graph counted are kept per day."""

    def __init__(self, store: Any, tmp_path: Path) -> None:
        self.store, self.tmp_path = store, tmp_path
        self.reports: dict[date, dict[str, Any]] = {}
        self.counts: dict[date, dict[str, int]] = {}

    def day(self, day: date, *files: tuple[str, list[dict[str, str]]], forget: str = "") -> None:
        started = history.now_iso()
        paths = []
        for name, rows in files:
            path = self.tmp_path / f"{day.isoformat()}-{name}.csv"
            columns = {c: "" for row in rows for c in row}
            write_csv(path, [{**columns, **row} for row in rows])
            paths.append(path)
        if paths:  # (the import records its changes in the history itself)
            import_files(self.store, paths, new_topics=True)

        def record(tx: Tx) -> None:
            if forget:  # (recorded by forgetting itself)
                assert forget_everything(tx, forget)
            _redate(tx, started, day)

        self.store.write(record)
        self.reports[day] = self.store.read(coverage_report_of)
        self.counts[day] = self.store.read(_counts)


D1, D2, D3, D4 = date(2024, 1, 10), date(2024, 3, 5), date(2024, 6, 1), date(2024, 9, 1)
ANA, BO, CY, DI, ED = (member_id(f"{n}@example.org") for n in ("ana", "bo", "cy", "di", "ed"))


def _played(store: Any, tmp_path: Path, checks: dict[str, Any]) -> Play:
    """Import, change, forget, change again; ``checks`` gets the as-of reports made before the forget."""
    play = Play(store, tmp_path)
    workstreams = [
        {"id": "WS1", "name": "Studies", "description": "", "covers": "record linkage; satellite imagery"},
        {"id": "WS2", "name": "Training", "description": "", "covers": "training data"},
    ]
    play.day(
        D1,
        ("workstreams", workstreams),
        (
            "members",
            [
                member(
                    "Ana",
                    "ana@example.org",
                    organisation="ONS",
                    country="GBR",
                    joined="2023-05",
                    topics="record linkage:expert; nlp:learning",
                    workstreams="WS1:lead",
                    knows="bo@example.org",
                ),
                member(
                    "Bo",
                    "bo@example.org",
                    organisation="ONS",
                    country="GBR",
                    joined="2024-01-10",
                    topics="record linkage:learning; nlp:learning",
                    workstreams="WS1",
                    knows="cy@example.org",
                ),
                member(
                    "Cy",
                    "cy@example.org",
                    organisation="Statistics Canada",
                    country="CAN",
                    joined="2024-01-10",
                    topics="nlp:learning; web scraping",
                    workstreams="WS2",
                ),
                member(
                    "Di",
                    "di@example.org",
                    organisation="Statistics Canada",
                    country="CAN",
                    joined="2023-11-20",
                    topics="nlp:expert",
                    knows="cy@example.org",
                ),
            ],
        ),
    )
    play.day(
        D2,
        (
            "members",
            [
                member(
                    "Bo",
                    "bo@example.org",
                    organisation="INSEE",
                    country="FRA",
                    topics="record linkage:practising; satellite imagery:learning",
                    workstreams="WS1; WS2",
                    knows="cy@example.org",
                ),
                member(
                    "Ed",
                    "ed@example.org",
                    organisation="Stats SA",
                    country="ZAF",
                    joined="2024-03-05",
                    topics="edge computing:expert",
                    workstreams="WS2:lead",
                ),
            ],
        ),
    )
    # Before the forget, the as-of reports of the days gone by are the ones captured on those days.
    checks["before forget"] = {d: store.read(coverage_report_as_of, d) for d in (D1, D2)}
    play.day(
        D3,
        (
            "members",
            [
                member(
                    "Ana",
                    "ana@example.org",
                    title="Head of Methods",
                    topics="record linkage:expert; nlp:practising",
                    knows="bo@example.org; ed@example.org",
                )
            ],
        ),
        forget=DI,
    )
    play.day(
        D4,
        ("topics", [{"id": "", "name": "quantum statistics", "aliases": ""}]),
        (
            "members",
            [
                member(
                    "Ed",
                    "ed@example.org",
                    workstreams="WS1; WS2:lead",
                    topics="edge computing:expert; nlp:learning",
                )
            ],
        ),
    )
    return play


def _plain(report: dict[str, Any]) -> str:
    return json.dumps(report, sort_keys=True)


def test_coverage_as_of_each_day_is_the_report_of_that_day(store, tmp_path: Path) -> None:
    checks: dict[str, Any] = {}
    play = _played(store, tmp_path, checks)
    for day, report in checks["before forget"].items():
        assert report == play.reports[day], day
    # After the forget: the days since are as they were.
    for day in (D3, D4):
        assert store.read(coverage_report_as_of, day) == play.reports[day], day
    # The days before it, without the member forgotten (that is what forgetting means)...
    for day in (D1, D2):
        then = store.read(coverage_report_as_of, day)
        assert DI not in _plain(then) and "Di" not in {g["name"] for g in then["gaps"]}
        assert then["summary"]["members"] == play.reports[day]["summary"]["members"] - 1
    # ...and otherwise as they were: Bo still at ONS in January, and learning record linkage.
    d1 = store.read(coverage_report_as_of, D1)
    single_org = {g["subject"]: g["numbers"] for g in d1["gaps"] if g["kind"] == "topic-single-organisation"}
    assert single_org["record-linkage"]["learning"] == 1
    # A day before anybody joined: nobody; a quantum topic created in September is not there in June.
    empty = store.read(coverage_report_as_of, date(2023, 1, 1))
    assert empty["summary"]["members"] == 0
    june = store.read(coverage_report_as_of, D3)
    assert "quantum-statistics" not in _plain(june) and "quantum-statistics" in _plain(play.reports[D4])


def test_growth_month_by_month_counts_what_the_graph_held(store, tmp_path: Path) -> None:
    play = _played(store, tmp_path, {})
    found = store.read(growth_report)
    months = found["months"]
    network = found["series"]["network"][""]
    ws1 = found["series"]["workstream"]["WS1"]
    assert months[0] == "2023-05"  # Ana joined before graphapp
    for day in (D3, D4):
        i = months.index(day.isoformat()[:7])
        counted = play.counts[day]
        assert {m: network[m][i] for m in ("members", "organisations", "countries", "contacts")} == {
            m: counted[m] for m in ("members", "organisations", "countries", "contacts")
        }
        assert ws1["members"][i] == counted["WS1"]
    # Before the forget, Di is gone from every month: January counted four, the chart three.
    jan = months.index("2024-01")
    assert play.counts[D1]["members"] == 4 and network["members"][jan] == 3
    assert network["members"][months.index("2023-11")] == 1  # Ana; Di (forgotten) no longer
    assert network["members"][months.index("2024-02")] == 3  # nothing changed in February
    # Bo moved from ONS to INSEE in March: February counts one organisation in Europe, March two.
    europe = found["series"]["region"]["Europe"]
    assert europe["organisations"][months.index("2024-02")] == 1
    assert europe["organisations"][months.index("2024-03")] == 2
    # Each month's network is the one coverage as of its last day shows.
    for m in ("2024-01", "2024-03", "2024-06"):
        last = {"2024-01": date(2024, 1, 31), "2024-03": date(2024, 3, 31), "2024-06": date(2024, 6, 30)}[m]
        assert (
            network["members"][months.index(m)]
            == store.read(coverage_report_as_of, last)["summary"]["members"]
        )


def _independent_growth(
    now: Snapshot, changes: list[dict[str, Any]], months: list[str]
) -> dict[str, list[int]]:
    """The counts of each month from the network as of its last day (as_of, then counting plainly)."""
    counts: dict[str, list[int]] = {m: [] for m in ("members", "organisations", "countries", "contacts")}
    for month in months:
        y, mo = int(month[:4]), int(month[5:])
        last = date(y + mo // 12, mo % 12 + 1, 1).toordinal() - 1
        snap = as_of(now, changes, date.fromordinal(last))
        ms = snap.members
        counts["members"].append(len(ms))
        counts["organisations"].append(len({f["organisation"] for f in ms.values() if f.get("organisation")}))
        counts["countries"].append(len({f["country"] for f in ms.values() if f.get("country")}))
        counts["contacts"].append(
            len({frozenset((m, k)) for m, f in ms.items() for k in f.get("knows", []) if k in ms})
        )
    return counts


def test_growth_equals_counting_each_month_as_of_its_last_day() -> None:
    """A random history: the one-pass growth against as_of per month, counted plainly."""
    import random

    rng = random.Random(13)
    ids = [f"m{i}" for i in range(40)]
    orgs, countries = ["ons", "insee", "istat", "abs"], ["GBR", "FRA", "ITA", "AUS"]
    members: dict[str, dict[str, Any]] = {}
    changes: list[dict[str, Any]] = []
    for step in range(300):
        at = date(2022, 1, 1).toordinal() + step * 3
        stamp = date.fromordinal(at).isoformat() + f"T10:{step % 60:02d}:00+00:00"
        m = rng.choice(ids)
        if m not in members:
            joined = date.fromordinal(at - rng.choice([0, 0, 200])).isoformat()
            fields = {
                "name": m,
                "joined": joined,
                "organisation": rng.choice(orgs),
                "country": rng.choice(countries),
            }
            changes.append({"at": stamp, "subject": f"member:{m}", "before": {}, "after": dict(fields)})
            members[m] = fields
            continue
        field = rng.choice(["organisation", "country", "knows"])
        old = members[m].get(field, [] if field == "knows" else "")
        new = (
            sorted(set(rng.sample(ids, 3)) - {m})
            if field == "knows"
            else rng.choice(orgs if field == "organisation" else countries)
        )
        if old == new:
            continue
        changes.append({"at": stamp, "subject": f"member:{m}", "before": {field: old}, "after": {field: new}})
        members[m] = {**members[m], field: new}
    changes.reverse()  # newest first
    now = Snapshot(members=members)
    found = growth(now, changes, date(2024, 6, 15))
    assert found["series"]["network"][""] == _independent_growth(now, changes, found["months"])


def test_import_takes_a_joined_date(store, tmp_path: Path) -> None:
    write_csv(
        tmp_path / "m.csv",
        [
            member("Ana", "ana@example.org", joined="2021-03"),
            member("Bo", "bo@example.org", joined="2022-11-30"),
            member("Cy", "cy@example.org", joined=""),
        ],
    )
    import_files(store, [tmp_path / "m.csv"])
    joined = {
        r["id"]: r["joined"]
        for r in store.read(lambda tx: tx.run("MATCH (m:Member) RETURN m.id AS id, m.joined AS joined"))
    }
    today = history.now_iso()[:10]
    assert joined == {ANA: "2021-03-01", BO: "2022-11-30", CY: today}
    # Imported again without the column: the day they joined stays.
    write_csv(tmp_path / "again.csv", [member("Ana", "ana@example.org", title="Head")])
    import_files(store, [tmp_path / "again.csv"])
    assert (
        store.read(lambda tx: tx.run("MATCH (m:Member {id: $id}) RETURN m.joined AS j", id=ANA))[0]["j"]
        == "2021-03-01"
    )


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("March 2021", "is not a date: write it as YYYY-MM-DD (or YYYY-MM for a month)"),
        ("2021-02-30", "is not a date: write it as YYYY-MM-DD (or YYYY-MM for a month)"),
        ("2999-01-01", "is in the future"),
    ],
)
def test_a_bad_joined_date_is_a_problem_and_nothing_is_written(
    store, tmp_path: Path, value: str, reason: str
) -> None:
    write_csv(
        tmp_path / "m.csv",
        [member("Ana", "ana@example.org", joined=""), member("Bo", "bo@example.org", joined=value)],
    )
    with pytest.raises(ImportRejected) as rejected:
        import_files(store, [tmp_path / "m.csv"])
    [problem] = rejected.value.problems
    assert (problem.row, problem.column, problem.value) == ("row 3", "joined", value)
    assert problem.reason.startswith(reason)
    assert store.read(lambda tx: tx.run("MATCH (m:Member) RETURN count(m) AS n"))[0]["n"] == 0


# --- On the coverage page, in the API and the CLI -----------------------------------------------------------


def _demo_joined() -> list[dict[str, str]]:
    from graphapp.demo import DEMO_DIR

    with (DEMO_DIR / "members.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _joined_by(people: list[dict[str, str]], month: str) -> list[dict[str, str]]:
    return [p for p in people if p["joined"][:7] <= month]


def test_coverage_page_shows_how_the_demo_grew(demo_app, client) -> None:
    people = _demo_joined()
    assert 'href="/coverage/growth"' in client.get("/coverage").get_data(as_text=True)
    page = client.get("/coverage/growth").get_data(as_text=True)
    assert "How the network grew" in page and 'src="/coverage/growth.svg"' in page
    assert "forgotten are left out of every month" in page and "<details>" in page

    rows = list(csv.DictReader(io.StringIO(client.get("/coverage/growth.csv").get_data(as_text=True))))
    assert rows[0]["month"] == min(p["joined"] for p in people)[:7]
    for row in rows:  # counted independently, from the demo's file
        joined = _joined_by(people, row["month"])
        assert int(row["members"]) == len(joined), row
        assert int(row["organisations"]) == len({p["organisation"] for p in joined}), row
    assert int(rows[-1]["members"]) == len(people) == 150

    by_ws = list(
        csv.DictReader(io.StringIO(client.get("/coverage/growth.csv?by=workstream").get_data(as_text=True)))
    )
    last = {r["workstream"]: r for r in by_ws if r["month"] == rows[-1]["month"]}
    in_ws1 = [p for p in people if "WS1" in {w.split(":")[0] for w in p["workstreams"].split("; ")}]
    assert int(last["WS1"]["members"]) == len(in_ws1) and last["WS1"]["name"]
    response = client.get("/coverage/growth.csv?by=region")
    assert response.headers["Content-Disposition"] == 'attachment; filename="graphapp-growth-by-region.csv"'
    assert {r["region"] for r in csv.DictReader(io.StringIO(response.get_data(as_text=True)))} >= {
        "Europe",
        "Africa",
    }

    for by in ("network", "workstream", "region"):
        svg = client.get(f"/coverage/growth.svg?by={by}")
        assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
        root = ElementTree.fromstring(svg.get_data())
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        text = svg.get_data(as_text=True)
        assert "Members" in text and 'href="http' not in text  # text kept as text; nothing fetched
        assert svg.headers["Content-Security-Policy"].startswith(
            "default-src 'none'; style-src 'unsafe-inline'"
        )
    assert client.get("/coverage/growth.csv?by=planet").status_code == 400


def test_coverage_as_it_stood_on_a_day(demo_app, client, runner) -> None:
    day = "2022-06-30"
    then = len([p for p in _demo_joined() if p["joined"] <= day])
    assert 0 < then < 150
    page = client.get(f"/coverage?as_of={day}").get_data(as_text=True)
    assert f"{then} members," in page and "as it stood at the end of <strong>June 30, 2022</strong>" in page
    assert 'value="2022-06-30"' in page and "Back to today" in page
    assert "150 members," in client.get("/coverage").get_data(as_text=True)
    bad = client.get("/coverage?as_of=2022-02-30")
    assert bad.status_code == 400 and "as_of must be a day written YYYY-MM-DD" in bad.get_data(as_text=True)

    assert client.get(f"/api/gaps?as_of={day}").get_json()["summary"]["members"] == then
    assert client.get("/api/gaps?as_of=30/06/2022").status_code == 400

    said = runner.invoke("gaps", "--as-of", day)
    assert said.exit_code == 0 and f"end of {day} (UTC)" in said.output and f"{then} members" in said.output
    wrong = CliRunner().invoke(cli, ["gaps", "--as-of", "June"])
    assert wrong.exit_code != 0 and "--as-of June: must be a day written YYYY-MM-DD" in wrong.output


def test_hostile_workstream_names_are_text_in_the_charts_and_the_csv(app, client, tmp_path: Path) -> None:
    from graphapp.db import get_store

    hostile = "=cmd <script>alert(1)</script> $x$"
    write_csv(tmp_path / "workstreams.csv", [{"id": "WS9", "name": hostile, "description": "", "covers": ""}])
    write_csv(
        tmp_path / "members.csv",
        [{**member("Ana", "ana@example.org", workstreams="WS9"), "joined": "2023-02"}],
    )
    with app.app_context():
        import_files(get_store(), [tmp_path / "workstreams.csv", tmp_path / "members.csv"])
    svg = client.get("/coverage/growth.svg?by=workstream").get_data(as_text=True)
    assert "<script>" not in svg and "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    page = client.get("/coverage").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    rows = list(
        csv.DictReader(io.StringIO(client.get("/coverage/growth.csv?by=workstream").get_data(as_text=True)))
    )
    assert rows[-1]["name"] == "'" + hostile  # not a formula in a spreadsheet
