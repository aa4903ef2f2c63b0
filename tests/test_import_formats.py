"""The Import formats page and the Import page's links (issue 15 §6): what each kind of file holds, from
the importer's own tables, with a template for every kind; and problems shown in the reader's language."""

from __future__ import annotations

import html
import re
from pathlib import Path

from graphapp.ingest.readers import COLUMNS, KINDS, REQUIRED
from graphapp.uploads import column_meaning
from tests.helpers import csrf_token, member, signed_in, write_csv


def test_every_column_the_importer_takes_has_words() -> None:
    missing = [(k, c) for k in KINDS for c in COLUMNS[k] if not column_meaning(k, c)]
    assert missing == []


def test_the_formats_page_lists_every_column_of_every_kind_with_its_template(app) -> None:
    member_browser = signed_in(app, "ana@example.org", "member")
    page = member_browser.get("/import/formats")
    assert page.status_code == 200
    text = html.unescape(page.get_data(as_text=True))
    for kind in KINDS:
        section = text.split(f'<h2 id="{kind}">', 1)[1].split("</section>", 1)[0]
        shown = re.findall(r'<dt><code>([a-z_]+)</code> <span class="required-(\w+)">', section)
        assert [c for c, _ in shown] == list(COLUMNS[kind]), kind
        for column, required in shown:
            assert (required == "yes") == (column in REQUIRED[kind]), (kind, column)
        assert f'href="/import/templates/{kind}.csv"' in section
        assert member_browser.get(f"/import/templates/{kind}.csv").status_code == 200
    # what a person reads: the meaning of a column and an example taken from the template
    assert "each with a level after a colon (learning, practising or expert)" in text
    assert "Example: <code>record linkage:expert; satellite imagery:learning</code>" in text
    # no request leaves the app: the page is whole without a network
    assert not re.search(r'(src|href)="https?://', text)


def test_the_import_page_links_to_the_formats_and_every_template(client) -> None:
    text = client.get("/import").get_data(as_text=True)
    assert 'href="/import/formats"' in text
    for kind in (*KINDS, "taxonomy"):
        assert f'href="/import/templates/{kind}.csv"' in text


def test_problems_are_shown_where_they_are_with_every_one_at_once(client, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "people.csv", [member("Ana Example", "ana@", workstreams="WS9")])
    with path.open("rb") as f:
        page = client.post(
            "/import",
            data={"csrf_token": csrf_token(client, "/import"), "files": (f, "people.csv")},
            content_type="multipart/form-data",
        )
    text = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 400
    assert "Nothing was imported: 2 problems" in text
    assert "people.csv, row 2, column 'email': 'ana@' is not an email address" in text
    assert "people.csv, row 2, column 'workstreams': 'WS9' is not a known workstream" in text
