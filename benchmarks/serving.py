"""Real `graphapp serve` processes for the benchmarks of deployment (start_speed.py, load_speed.py): start
one on a store, know when it listens, ask it things as a signed-in person, read its memory."""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devtools.neo4j_harness.throwaway import free_port, listening
from graphapp.settings import BY_NAME

PASSWORD = "load-benchmark-password"  # noqa: S105 (fictional accounts in a throwaway store)


def environment(store: dict[str, str], **settings: str) -> dict[str, str]:
    """The environment of a server on ``store`` (``GRAPHAPP_DB`` or ``NEO4J_URI``): none of this
    process's graphapp settings, no mail thread."""
    env = {k: v for k, v in os.environ.items() if k not in BY_NAME}
    return {**env, **store, "GRAPHAPP_MAIL_INTERVAL": "0", **settings}


@dataclass
class Server:
    url: str
    pid: int
    started: float  # time.monotonic() when the command was run
    listening: float  # ... and when it accepted its first connection

    def rss_mib(self) -> float:
        """The process's resident memory now, in MiB."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        found = re.search(r"VmRSS:\s+(\d+) kB", status)
        return round(int(found.group(1)) / 1024, 1) if found else float("nan")

    def health(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.url + "api/health", timeout=30) as answer:  # noqa: S310 (loopback)
            return dict(json.loads(answer.read()))

    def until_ready(self, limit: float = 1800) -> float:
        """Seconds from listening until /api/health says ready."""
        while not self.health()["ready"]:
            if time.monotonic() - self.listening > limit:
                raise TimeoutError("the server did not get its caches ready")
            time.sleep(0.05)
        return time.monotonic() - self.listening


@contextlib.contextmanager
def serve(env: dict[str, str], log: Path, threads: int = 8, python: str = sys.executable) -> Iterator[Server]:
    """`graphapp serve --threads N` until the block ends, yielded as soon as it listens. ``python``: the
    interpreter of the checkout to serve (its venv's), run from the log's directory so that it imports
    its own graphapp, not the one in the current directory."""
    port = free_port()
    began = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [python, "-m", "graphapp.cli", "serve", "--port", str(port), "--threads", str(threads)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=log.parent,
        )
        try:
            if not listening(proc, port, within=600):
                raise RuntimeError("graphapp serve did not start:\n" + log.read_text())
            yield Server(f"http://127.0.0.1:{port}/", proc.pid, began, time.monotonic())
        finally:
            proc.terminate()
            proc.wait(timeout=60)


class Person:
    """Someone with a browser's cookies, asking a server for pages and timing each."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self._open = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        ).open

    def get(self, path: str, data: dict[str, str] | None = None) -> tuple[float, int, str]:
        """Seconds, status and body of GET (or POST ``data`` to) ``path``."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        began = time.monotonic()
        try:
            with self._open(self.url + path, data=body, timeout=600) as answer:
                text = answer.read().decode()
                return time.monotonic() - began, answer.status, text
        except urllib.error.HTTPError as e:
            return time.monotonic() - began, e.code, e.read().decode()

    def sign_in(self, login: str) -> None:
        page = self.get("/login")[2]
        found = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert found, "no CSRF token on the sign-in page"
        _, status, _ = self.get(
            "/login", {"login": login, "password": PASSWORD, "csrf_token": found.group(1)}
        )
        assert status == 200, f"{login} could not sign in ({status})"


def make_accounts(store: Any, members: list[str], coordinators: int) -> dict[str, Any]:
    """A member account for each of ``members`` and ``coordinators`` coordinator accounts, all with
    :data:`PASSWORD`: what the load benchmark's people sign in with."""
    from graphapp.accounts import hash_password
    from graphapp.queries.accounts import create_account

    hashed = hash_password(PASSWORD)
    made = "2026-01-01T00:00:00+00:00"
    logins = [(f"member{i}@example.org", m) for i, m in enumerate(members)]
    chiefs = [f"coordinator{i}@example.org" for i in range(coordinators)]

    def write(tx: Any) -> None:
        for login, member in logins:
            create_account(tx, login, hashed, "member", member, made)
        for login in chiefs:
            create_account(tx, login, hashed, "coordinator", "", made)

    store.write(write)
    return {"members": logins, "coordinators": chiefs, "password": PASSWORD}
