"""Small helpers for the tests: the graph as plain data, accounts, signing in.

The member-file writers live in :mod:`devtools.spreadsheets` (the benchmarks use them too) and are
re-exported here."""

from __future__ import annotations

from typing import Any

from devtools.spreadsheets import MEMBER_COLUMNS, member, write_csv
from graphapp.backup import snapshot
from graphapp.store import Store

__all__ = [
    "MEMBER_COLUMNS",
    "backup_without_restores",
    "PASSWORD",
    "csrf_token",
    "graph",
    "make_account",
    "member",
    "sign_in",
    "signed_in",
    "write_csv",
]


def graph(store: Store) -> dict[str, Any]:
    """Everything the graph holds, as plain data: equal graphs give equal values."""
    return store.read(snapshot)


def backup_without_restores(path: Any) -> dict[str, Any]:
    """A backup file's data less the history's "restore" changes (a restore records itself, so a backup
    taken after a restore holds one change more than the one restored)."""
    import json
    from pathlib import Path

    data: dict[str, Any] = json.loads(Path(path).read_text())
    changes = data["nodes"].get("Change", [])
    data["nodes"]["Change"] = [c for c in changes if c.get("kind") != "restore"]
    return data


PASSWORD = "correct horse battery staple"


def make_account(app: Any, login: str, role: str, member: str = "", password: str = PASSWORD) -> None:
    """An account in the app's store, as `graphapp account create` makes one."""
    from graphapp.accounts import hash_password
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
