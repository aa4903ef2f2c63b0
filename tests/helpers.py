"""Small helpers for writing input files the way a coordinator's spreadsheet would."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from graphapp.backup import snapshot
from graphapp.store import Store

MEMBER_COLUMNS = ("name", "email", "organisation", "country", "title", "topics", "workstreams", "knows")


def write_csv(
    path: Path,
    rows: list[dict[str, Any]],
    columns: tuple[str, ...] | None = None,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    columns = columns or tuple(rows[0])
    with path.open("w", newline="", encoding=encoding) as f:
        writer = csv.DictWriter(f, fieldnames=columns, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def member(name: str, email: str, **fields: str) -> dict[str, str]:
    row = dict.fromkeys(MEMBER_COLUMNS, "")
    row.update(name=name, email=email, **fields)
    return row


def graph(store: Store) -> dict[str, Any]:
    """Everything the graph holds, as plain data: equal graphs give equal values."""
    return store.read(snapshot)


PASSWORD = "correct horse battery staple"


def make_account(app: Any, login: str, role: str, member: str = "", password: str = PASSWORD) -> None:
    """An account in the app's store, as `graphapp account create` makes one."""
    from graphapp.auth import hash_password
    from graphapp.db import get_store
    from graphapp.queries.accounts import create_account

    with app.app_context():
        get_store().write(
            create_account, login, hash_password(password), role, member, "2026-01-01T00:00:00+00:00"
        )


def csrf_token(client: Any, url: str = "/login") -> str:
    """The CSRF token a form on ``url`` carries."""
    import re

    page = client.get(url).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def sign_in(client: Any, login: str, password: str = PASSWORD) -> Any:
    return client.post(
        "/login", data={"login": login, "password": password, "csrf_token": csrf_token(client)}
    )


def signed_in(app: Any, login: str, role: str, member: str = "") -> Any:
    """A test browser signed in with a new account (made here) of ``role``."""
    make_account(app, login, role, member)
    client = app.test_client()
    response = sign_in(client, login)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client
