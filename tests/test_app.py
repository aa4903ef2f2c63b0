"""The web app, until the front end lands: a home page that says what the network holds."""

from __future__ import annotations

from graphapp.db import get_store
from graphapp.demo import DEMO_FILES
from ingest import import_files


def test_home_counts_the_network(app, client) -> None:
    with app.app_context():
        import_files(get_store(), DEMO_FILES)
    page = client.get("/").get_data(as_text=True)
    assert '<th scope="row">Member</th><td>150</td>' in page
    assert '<th scope="row">Workstream</th><td>6</td>' in page


def test_pages_request_nothing_from_other_hosts(app, client) -> None:
    with app.app_context():
        import_files(get_store(), DEMO_FILES[:3])
    page = client.get("/").get_data(as_text=True)
    assert "http://" not in page and "https://" not in page
