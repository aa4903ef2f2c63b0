"""The Import page's way for a survey tool's export (issue 16 §3), on both stores: an upload that is not in
graphapp's format leads to its mapping page; answers that map to nothing are offered their closest
meanings; the preview and the whole dry run come before anything is written; mappings are saved and
reused; hostile answers are shown as text."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from typing import Any

import pytest

from graphapp.db import get_store
from graphapp.ingest import import_files
from tests.helpers import csrf_token, signed_in
from tests.surveys import EXAMPLE_SURVEY, network_files


class _Form(HTMLParser):
    """The fields a browser would send from a page's survey form, as it stands."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[list[str]] = []
        self.inside = False
        self.select: list[str] | None = None
        self.options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("action", "").endswith("/import/survey"):
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append([a["name"], a.get("value", "")])
        elif tag == "select":
            self.select, self.options = [a.get("name", ""), ""], []
        elif tag == "option" and self.select is not None:
            self.options.append((a.get("value", ""), "selected" in a))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        if tag == "select" and self.select is not None:
            chosen = [v for v, s in self.options if s] or [v for v, _s in self.options[:1]]
            self.select[1] = chosen[0] if chosen else ""
            self.fields.append(self.select)
            self.select = None


def _fields(html: str) -> dict[str, Any]:
    parser = _Form()
    parser.feed(html)
    out: dict[str, Any] = {}
    for name, value in parser.fields:
        if name in out:
            out[name] = [*(out[name] if isinstance(out[name], list) else [out[name]]), value]
        else:
            out[name] = value
    return out


@pytest.fixture
def coordinator(app, tmp_path):  # type: ignore[no-untyped-def]
    with app.app_context():
        import_files(get_store(), network_files(tmp_path))
    return signed_in(app, "coord@example.org", "coordinator")


def _upload(client, data: bytes, name: str):  # type: ignore[no-untyped-def]
    form = {"csrf_token": csrf_token(client, "/import"), "files": [(io.BytesIO(data), name)]}
    return client.post("/import", data=form, content_type="multipart/form-data")


def _members(client) -> int:  # type: ignore[no-untyped-def]
    return client.get("/api/summary").get_json()["counts"]["Member"]


def test_a_survey_is_mapped_previewed_and_imported_from_the_import_page(coordinator) -> None:
    page = _upload(coordinator, EXAMPLE_SURVEY.read_bytes(), "webinar.csv")
    html = page.get_data(as_text=True)
    assert page.status_code == 400  # (the first guess cannot read one answer yet)
    assert "Import a survey export" in html and "webinar.csv" in html
    assert "How would you describe your experience with record linkage?" in html
    assert "ana.example@example.org" in html  # a sample answer, and the preview
    assert "text classification" in html  # the answer that maps to nothing, with a choice to make
    assert _members(coordinator) == 0
    form = _fields(html)
    assert form["field-2"] == "email" and form["field-8"] == "topic_level"
    assert form["topic-8"] == "record linkage"
    # Say what "text classification" means, and check again: the whole dry run, nothing written.
    (j,) = [
        k.split("-")[1] for k, v in form.items() if k.startswith("answer-") and v == "text classification"
    ]
    form[f"other-{j}"] = "natural language processing"
    form.update(action="preview", mapping_name="ML webinar survey")
    checked = coordinator.post("/import/survey", data=form)
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200, html
    assert "What the import would do (nothing was written)" in html and "4 new members" in html
    assert "The first rows, as graphapp will read them" in html
    assert "record linkage (expert)" in html  # Ana's "I lead projects on it"
    assert _members(coordinator) == 0
    # Saved by name, then imported.
    form = _fields(html)
    form.update(action="save")
    saved = coordinator.post("/import/survey", data=form)
    assert "The mapping was saved as ML webinar survey." in saved.get_data(as_text=True)
    form = _fields(saved.get_data(as_text=True))
    form.update(action="import")
    done = coordinator.post("/import/survey", data=form)
    assert done.status_code == 200 and "Imported" in done.get_data(as_text=True)
    assert _members(coordinator) == 4
    # The next export: the saved mapping, by name, reads it all; the same answers change nothing.
    again = _fields(_upload(coordinator, EXAMPLE_SURVEY.read_bytes(), "webinar-2.csv").get_data(as_text=True))
    again.update(action="load", saved_name="ML webinar survey")
    loaded = coordinator.post("/import/survey", data=again)
    assert loaded.status_code == 200
    assert "Nothing to change: the network already holds all of it." in loaded.get_data(as_text=True)


def test_a_match_by_name_and_organisation_is_a_checkbox(coordinator, app, tmp_path) -> None:
    from tests.helpers import member, write_csv

    with app.app_context():
        held = member("Chloé Exemple", "c.exemple@example.org", organisation="INSEE")
        import_files(get_store(), [write_csv(tmp_path / "members.csv", [held])])
    text = EXAMPLE_SURVEY.read_text("utf-8-sig").replace("text classification, NLP", "NLP")
    html = _upload(coordinator, text.encode("utf-8"), "webinar.csv").get_data(as_text=True)
    assert "Row 4, Chloé Exemple, is the member Chloé Exemple of INSEE" in html
    form = _fields(html)
    assert "confirm" not in form  # unticked: the import is refused
    form.update(action="import", confirm="row 4")
    done = coordinator.post("/import/survey", data=form)
    assert done.status_code == 200, done.get_data(as_text=True)
    assert _members(coordinator) == 4


def test_a_tampered_or_stale_file_is_refused_plainly(coordinator) -> None:
    form = _fields(_upload(coordinator, EXAMPLE_SURVEY.read_bytes(), "webinar.csv").get_data(as_text=True))
    form["survey"] = form["survey"][:-3] + "abc"
    refused = coordinator.post("/import/survey", data=form)
    assert refused.status_code == 400
    assert "upload it again" in refused.get_data(as_text=True)


def test_members_cannot_reach_the_survey_import(app) -> None:
    client = signed_in(app, "m@example.org", "member")
    assert client.post("/import/survey", data={}).status_code == 403


def test_hostile_answers_are_shown_as_text(coordinator) -> None:
    from tests.test_hostile import CORPUS, RAW

    question = CORPUS[0].replace('"', '""')
    rows = [f'What is your name?,Email address,Organisation,"{question}"'] + [
        f'"{p.replace(chr(34), chr(34) * 2)}",h{i}@example.org,"{p.replace(chr(34), chr(34) * 2)}",x'
        for i, p in enumerate(CORPUS)
    ]
    html = _upload(coordinator, "\n".join(rows).encode("utf-8"), "hostile.csv").get_data(as_text=True)
    assert "Import a survey export" in html
    for raw in RAW:
        assert raw not in html
    assert "&lt;script&gt;alert" in html


# --- What a cold review found (issue 16, second round) ------------------------------------------------------


def test_a_wrong_choice_keeps_the_form_with_the_problem_beside_its_question(coordinator) -> None:
    form = _fields(_upload(coordinator, EXAMPLE_SURVEY.read_bytes(), "webinar.csv").get_data(as_text=True))
    form.update(action="import", mapping_name="Webinar, my choices")
    form["topic-8"] = ""  # a level question, with no topic said
    form["field-5"] = "title"
    page = coordinator.post("/import/survey", data=form)
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert _members(coordinator) == 0
    kept = _fields(html)  # the form, as it was filled in
    assert kept["mapping_name"] == "Webinar, my choices"
    assert kept["field-5"] == "title" and kept["field-8"] == "topic_level" and kept["field-2"] == "email"
    # Beside its question, and in the list of problems naming the question (the problem has no row).
    rows = html.split('id="question-8"', 1)[1].split("</tr>", 2)  # the question's row, then the problem's
    assert (
        'aria-describedby="beside-8"' in rows[0] and "say which topic" in rows[1].split('id="beside-8"', 1)[1]
    )
    problems = html.split('id="problems-heading"', 1)[1].split("</section>", 1)[0]
    assert (
        "question &#39;How would you describe your experience with record linkage?&#39;: is a topic"
        in problems
    )


def test_a_level_typed_in_words_is_read_as_answers_are(coordinator) -> None:
    text = EXAMPLE_SURVEY.read_text("utf-8-sig").replace("Beginner", "dabbled a little")
    form = _fields(_upload(coordinator, text.encode("utf-8"), "webinar.csv").get_data(as_text=True))
    for answer, meant in (("dabbled a little", "Beginner"), ("text classification", "NLP")):
        (j,) = [k.split("-")[1] for k, v in form.items() if k.startswith("answer-") and v == answer]
        form[f"other-{j}"] = meant
    form.update(action="preview")
    page = coordinator.post("/import/survey", data=form)
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html
    assert "record linkage (learning)" in html  # Ben's "dabbled a little", said to be "Beginner"


SECTIONED = (
    "Section A,Section A,Section B,Section B\n"
    "What is your name?,Email address,Which organisation do you work for?,What is your job title?\n"
    "Ana Example,ana.example@example.org,INSEE,Analyst\n"
    "Ben Sample,ben.sample@example.org,INSEE,Statistician\n"
)


def test_changing_the_row_of_questions_guesses_afresh_and_says_so(coordinator) -> None:
    first = _upload(coordinator, SECTIONED.encode("utf-8"), "sections.csv").get_data(as_text=True)
    form = _fields(first)
    assert form["header_row"] == "1"  # (the first guess takes the section titles)
    form.update(header_row="2", action="import")
    page = coordinator.post("/import/survey", data=form)
    html = page.get_data(as_text=True)
    assert "The questions changed: they are now read from row 2" in html
    assert _members(coordinator) == 0  # a fresh guess is never imported unseen
    form = _fields(html)
    assert form["header_row"] == "2"
    fields = {form[f"question-{i}"]: form[f"field-{i}"] for i in range(4)}
    assert fields["What is your name?"] == "name" and fields["Email address"] == "email"
    form.update(action="import")
    done = coordinator.post("/import/survey", data=form)
    assert done.status_code == 200, done.get_data(as_text=True)
    assert _members(coordinator) == 2  # every respondent


def test_choices_follow_their_question_not_their_place(coordinator) -> None:
    form = _fields(_upload(coordinator, SECTIONED.encode("utf-8"), "sections.csv").get_data(as_text=True))
    form.update(header_row="2", action="preview")
    form = _fields(coordinator.post("/import/survey", data=form).get_data(as_text=True))
    # The same choices, posted in another order: each still goes with its question.
    for a, b in ((0, 3), (1, 2)):
        for name in ("question", "field", "separator", "topic"):
            form[f"{name}-{a}"], form[f"{name}-{b}"] = form[f"{name}-{b}"], form[f"{name}-{a}"]
    form.update(action="import")
    done = coordinator.post("/import/survey", data=form)
    assert done.status_code == 200, done.get_data(as_text=True)
    assert _members(coordinator) == 2


def test_a_row_of_questions_that_holds_none_is_said_beside_the_field(coordinator) -> None:
    form = _fields(_upload(coordinator, EXAMPLE_SURVEY.read_bytes(), "webinar.csv").get_data(as_text=True))
    form.update(header_row="40", action="preview", mapping_name="kept")
    page = coordinator.post("/import/survey", data=form)
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert 'id="header-problems"' in html and "holds no questions" in html
    kept = _fields(html)
    assert kept["mapping_name"] == "kept" and kept["field-2"] == "email"


@pytest.mark.parametrize(
    ("name", "value"),
    [("values_count", "many"), ("values_count", "99999999999999"), ("header_row", "²"), ("header_row", "-3")],
)
def test_tampered_numbers_are_read_safely(coordinator, name: str, value: str) -> None:
    form = _fields(_upload(coordinator, EXAMPLE_SURVEY.read_bytes(), "webinar.csv").get_data(as_text=True))
    form.update({name: value, "action": "preview"})
    page = coordinator.post("/import/survey", data=form)
    assert page.status_code in (200, 400)
    assert "Import a survey export" in page.get_data(as_text=True)


def test_a_survey_too_large_to_carry_is_refused_at_upload_naming_the_limit(app, coordinator) -> None:
    import base64
    import os

    from openpyxl import Workbook

    # (a limit of 0.6 MiB, and a file under 500 kB, which the test client keeps in memory)
    limit = int(0.6 * 2**20)
    app.config.update(GRAPHAPP_MAX_UPLOAD_MB=0.6, MAX_CONTENT_LENGTH=limit, MAX_FORM_MEMORY_SIZE=limit)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["What is your name?", "Email address", "Tell us about your work"])
    for i in range(420):
        sheet.append([f"Person {i}", f"p{i}@example.org", base64.b64encode(os.urandom(900)).decode()])
    data = io.BytesIO()
    workbook.save(data)
    assert 380_000 < len(data.getvalue()) < 480_000  # (within the upload limit)
    page = _upload(coordinator, data.getvalue(), "big.xlsx")
    html = page.get_data(as_text=True)
    assert page.status_code == 413
    assert "is too large to be mapped on this page" in html and "at most 0." in html
    assert 'name="survey"' not in html
