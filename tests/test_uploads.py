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
    assert checked.status_code == 200 and "would create 150" in checked.get_data(as_text=True)
    assert _members(coordinator) == 0
    done = _upload(coordinator, files)
    assert done.status_code == 200 and "created 150" in done.get_data(as_text=True)
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
