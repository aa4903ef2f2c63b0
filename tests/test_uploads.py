"""Imports from the web (coordinators), on both stores: the same all-or-nothing import as the CLI, with a
size limit, encodings handled or refused plainly, and upload names kept away from the file system."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from graphapp.demo import DEMO_FILES
from tests.helpers import csrf_token, signed_in


@pytest.fixture
def coordinator(app):  # type: ignore[no-untyped-def]
    return signed_in(app, "coord@example.org", "coordinator")


def _upload(client, files: list[tuple[bytes, str]], dry_run: bool = False):  # type: ignore[no-untyped-def]
    data = {
        "csrf_token": csrf_token(client, "/import"),
        "files": [(io.BytesIO(b), name) for b, name in files],
    }
    if dry_run:
        data["dry_run"] = "yes"
    return client.post("/import", data=data, content_type="multipart/form-data")


def _members(client) -> int:  # type: ignore[no-untyped-def]
    return client.get("/api/summary").get_json()["counts"]["Member"]


def test_the_demo_files_import_and_a_dry_run_writes_nothing(coordinator) -> None:
    files = [(Path(p).read_bytes(), Path(p).name) for p in DEMO_FILES]
    checked = _upload(coordinator, files, dry_run=True)
    page = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "nothing was written" in page
    assert '<th scope="row">Members</th><td>150</td>' in page and "would be added" in page
    assert "New organisations: " in page and "Statistics Netherlands" in page
    assert _members(coordinator) == 0
    done = _upload(coordinator, files)
    page = done.get_data(as_text=True)
    assert done.status_code == 200 and '<th scope="row">Members</th><td>150</td>' in page
    assert _members(coordinator) == 150
    again = _upload(coordinator, files).get_data(as_text=True)
    assert "nothing to change: the graph already holds all of it" in again


def test_latin1_is_refused_with_the_fix_and_nothing_is_written(coordinator) -> None:
    text = "name,email,country\nJosé Núñez,jose@example.org,ESP\n"
    response = _upload(coordinator, [(text.encode("latin-1"), "équipe.csv")])
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "équipe.csv, row 2" in page and "is not UTF-8 text" in page and "CSV UTF-8" in page
    assert _members(coordinator) == 0
    with_bom = _upload(coordinator, [(b"\xef\xbb\xbf" + text.encode("utf-8"), "team.csv")])
    assert with_bom.status_code == 200 and _members(coordinator) == 1


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        (b'[{"name": "Ana", "email": ', "broken.json", "broken.json"),
        (b"PK\x03\x04 not really a workbook", "broken.xlsx", "broken.xlsx"),
        (b'name,email\n"Ana,ana@example.org\n', "quote.csv", "quote.csv"),
        (b"hello", "notes.txt", "only CSV, XLSX or JSON"),
    ],
)
def test_malformed_files_are_refused_precisely(coordinator, content, name, words) -> None:
    response = _upload(coordinator, [(content, name)])
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)
    assert _members(coordinator) == 0


def test_one_bad_file_stops_all_of_them(coordinator) -> None:
    good = (Path(DEMO_FILES[0]).read_bytes(), "organisations.csv")
    bad = (b"name,email\nAna,not-an-email\n", "members.csv")
    response = _upload(coordinator, [good, bad])
    assert response.status_code == 400 and "members.csv, row 2, column &#39;email&#39;" in response.get_data(
        as_text=True
    )
    assert coordinator.get("/api/organisations").get_json()["total"] == 0


def test_upload_names_never_become_paths(coordinator, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "deep" / "er").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "deep" / "er")
    payload = json.dumps([{"name": "Ana Example", "email": "ana@example.org"}]).encode()
    response = _upload(coordinator, [(payload, "../../evil.json")])
    assert response.status_code == 200
    assert not (tmp_path / "evil.json").exists() and not list(tmp_path.rglob("evil.json"))
    bad = _upload(coordinator, [(b"[1", "..\\..\\secret.json")]).get_data(as_text=True)
    shown = bad.split("Nothing was imported")[1].split("</ul>")[0]
    label = shown.split("<li>")[1].split(",")[0]
    assert label.endswith("secret.json") and "/" not in label and "\\" not in label


def test_an_upload_over_the_limit_is_refused(app, coordinator) -> None:
    # (kept under 500 KB: a bigger test request is spooled to a temporary file the test client leaves open)
    app.config["GRAPHAPP_MAX_UPLOAD_MB"] = 0.1
    app.config["MAX_CONTENT_LENGTH"] = int(0.1 * 2**20)
    response = _upload(coordinator, [(b"name,email\n" + b"x" * 200_000, "big.csv")])
    assert response.status_code == 413
    assert "larger than 0.1 MiB" in response.get_data(as_text=True)
    assert _members(coordinator) == 0


def test_a_french_coordinator_reads_why_a_row_is_refused_in_french(coordinator) -> None:
    from graphapp.i18n import COOKIE

    coordinator.set_cookie(COOKIE, "fr")
    bad = (b"name,email\nAna,not-an-email\n", "members.csv")
    page = _upload(coordinator, [bad]).get_data(as_text=True)
    assert "ligne 2" in page and "n’est pas une adresse électronique" in page
    assert "is not an email address" not in page
    assert _members(coordinator) == 0


# Why rows are refused, in the reader's language (issue 15): every reason the importer gives is said on the
# page in French or Russian; the CLI says the same problems in English, word for word as before.

TOPICS_CSV = b"name\nrecord linkage\nsatellite imagery\n"
MEMBERS_CSV = (
    b"name,email,country,topics\n"
    b"Ana Example,ana@example.org,NLD,record linkage:guru\n"
    b"Ben Example,ben@example.org,Atlantis,satellite imagery\n"
    b"Ana Again,ana@example.org,NLD,recrd linkage\n"
)
PROJECTS_CSV = (
    b"title,stage,idea,demonstration\n"
    b"Linking the census,demonstration,2024-13-45,2024-02-01\n"
    b"Coding occupations,demonstration,2025-03-01,2025-01-01\n"
)
#: Each bad row's reason, in English (the CLI, unchanged) and as a French page says it.
REFUSED = {
    "has 'guru' after the colon; use learning, practising, expert": (
        "contient « guru » après les deux-points ; utilisez learning, practising, expert"
    ),
    "is not a country; use an ISO 3166-1 code such as NLD or NL, or the country's English name": (
        "n’est pas un pays ; utilisez un code ISO 3166-1 tel que NLD ou NL, ou le nom anglais du pays"
    ),
    "is the same member as members.csv row 2": "est le même membre que members.csv, ligne 2",
    "is not a topic in the vocabulary: did you mean 'record linkage'?": (
        "n’est pas un sujet du vocabulaire : vouliez-vous dire 'record linkage' ?"
    ),
    "is not a date: write it as YYYY-MM-DD": "n’est pas une date : écrivez-la sous la forme AAAA-MM-JJ",
    "is before the day it reached idea (2025-03-01): the days must follow the journey": (
        "est antérieure au jour où il a atteint l’étape « idée » (2025-03-01) : les dates doivent suivre "
        "l’ordre des étapes"
    ),
}


def _bad_files() -> list[tuple[bytes, str]]:
    return [(TOPICS_CSV, "topics.csv"), (MEMBERS_CSV, "members.csv"), (PROJECTS_CSV, "projects.csv")]


def test_a_french_coordinator_reads_every_reason_of_a_refused_import_in_french(coordinator) -> None:
    from html import unescape

    from graphapp.i18n import COOKIE

    coordinator.set_cookie(COOKIE, "fr")
    answer = _upload(coordinator, _bad_files())
    page = unescape(answer.get_data(as_text=True))
    assert answer.status_code == 400
    for english, french in REFUSED.items():
        assert french in page, french
        assert english not in page, english
    assert "members.csv, ligne 4, colonne « email » : 'ana@example.org' est le même membre que" in page
    assert "upload-" not in page  # (a file a reason names is named as it was uploaded, not as it was saved)
    assert "ou cochez « Créer les nouveaux sujets » et importez à nouveau" in page
    assert "--new-topics" not in page  # (an option of the command line: a page says what to do on it)
    for word in (" is not ", "did you mean", " is already ", " must ", " row ", " use "):
        assert word not in page.split("<main")[1], word
    # A column the importer does not take, and one it needs, said in French too.
    missing = _upload(coordinator, [(b"nme,email\nAna,ana@example.org\n", "members.csv")])
    text = unescape(missing.get_data(as_text=True))
    assert missing.status_code == 400
    assert "colonne « name » : est absente : les fichiers « members » en ont besoin" in text
    assert "« nme » : n’est pas une colonne des fichiers « members » ; vouliez-vous dire « name » ?" in text
    assert "is missing" not in text and "is not a column" not in text
    assert _members(coordinator) == 0


def test_a_russian_coordinator_reads_why_a_level_is_refused_in_russian(coordinator) -> None:
    from html import unescape

    from graphapp.i18n import COOKIE

    coordinator.set_cookie(COOKIE, "ru")
    page = unescape(_upload(coordinator, _bad_files()).get_data(as_text=True))
    assert (
        "members.csv, строка 2, столбец «topics»: 'record linkage:guru' содержит «guru» после двоеточия"
        in page
    )
    assert "тот же участник, что и в members.csv, строка 2" in page
    assert "after the colon" not in page and "is the same member" not in page
    assert _members(coordinator) == 0


def test_the_cli_says_the_same_problems_in_english_unchanged(runner, tmp_path: Path) -> None:
    paths = []
    for content, name in _bad_files():
        (tmp_path / name).write_bytes(content)
        paths.append(str(tmp_path / name))
    said = runner.invoke("import", *paths)
    assert said.exit_code != 0
    out = said.stdout + said.stderr
    for english in REFUSED:
        assert english in out, english
    assert (
        "members.csv, row 4, column 'email': 'ana@example.org' is the same member as members.csv row 2" in out
    )
    assert (
        "members.csv, row 4, column 'topics': 'recrd linkage' is not a topic in the vocabulary: did you mean "
        "'record linkage'? If not, to add it to the vocabulary, list it in a topics file, or import with "
        "--new-topics (on the import page: tick 'create new topics')" in out
    )
    assert "idée" not in out and "ligne" not in out


def test_a_french_coordinator_reads_what_the_import_did_in_french(coordinator) -> None:
    from graphapp.i18n import COOKIE

    coordinator.set_cookie(COOKIE, "fr")
    files = [(Path(p).read_bytes(), Path(p).name) for p in DEMO_FILES]
    page = _upload(coordinator, files, dry_run=True).get_data(as_text=True)
    assert '<th scope="row">Membres</th><td>150</td>' in page
    assert "lignes lues" in page and "Nouvelles organisations : " in page
    assert "would create" not in page and "rows read" not in page
    _upload(coordinator, files)
    changed = (b"name,email,title\nTimo Okafor,timo.okafor@example.org,Chief Data Scientist\n", "members.csv")
    again = _upload(coordinator, [changed], dry_run=True).get_data(as_text=True)
    assert "Ce qui change dans les fiches" in again
    assert '<th scope="row">Timo Okafor</th><td>title</td>' in again
