"""Running graphapp as real processes in tests: a command, or `graphapp serve` on a free loopback port."""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.neo4j_harness.throwaway import free_port, listening
from graphapp.settings import BY_NAME as SETTINGS_BY_NAME


def graphapp(
    env: dict[str, str], *args: str, timeout: float = 300, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "graphapp.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        input=stdin,
    )


def _clean_env() -> dict[str, str]:
    """This process's environment without any of graphapp's settings: a test then sets the ones it means."""
    return {k: v for k, v in os.environ.items() if k not in SETTINGS_BY_NAME}


@contextlib.contextmanager
def started(
    env: dict[str, str],
    log_path: Path,
    command: tuple[str, ...] = (sys.executable, "-m", "graphapp.cli"),
    **popen: Any,
) -> Iterator[tuple[str, float]]:
    """Run `graphapp serve` on a free loopback port until the block ends; yield its URL and the moment
    (``time.monotonic()``) it began listening, as soon as it accepts a connection (before any request)."""
    port = free_port()
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [*command, "serve", "--port", str(port)],
            env=env,
            **popen,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            if not listening(proc, port, within=60):
                pytest.fail("graphapp serve did not start:\n" + log_path.read_text())
            yield f"http://127.0.0.1:{port}/", time.monotonic()
        finally:
            proc.terminate()
            proc.wait(timeout=30)


@contextlib.contextmanager
def serving(
    env: dict[str, str],
    log_path: Path,
    command: tuple[str, ...] = (sys.executable, "-m", "graphapp.cli"),
    **popen: Any,
) -> Iterator[str]:
    """Run `graphapp serve` on a free loopback port until the block ends; yield its URL once it answers.
    ``command`` is how graphapp is started (by default this interpreter's, from the checkout)."""
    with started(env, log_path, command, **popen) as (url, _):
        deadline = time.monotonic() + 60
        while True:
            try:
                _page(url)
                break
            except urllib.error.HTTPError:
                break  # it answers (an error page is an answer too)
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("graphapp serve does not answer:\n" + log_path.read_text())
                time.sleep(0.2)
        yield url


def _page(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback only)
        return response.read().decode()


class _Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # (a redirect is an answer to look at, not to follow)


class Browser:
    """Someone using a running graphapp: keeps its cookies, does not follow redirects."""

    def __init__(
        self, url: str, cookies: http.cookiejar.CookieJar | None = None, headers: dict[str, str] | None = None
    ) -> None:
        self.url = url.rstrip("/")
        self.cookies = cookies if cookies is not None else http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _Stay())
        opener.addheaders = [*opener.addheaders, *(headers or {}).items()]  # (e.g. a proxy's X-Forwarded-For)
        self._open = opener.open

    def at(self, url: str) -> Browser:
        """The same person (the same cookies: their session) asking another server."""
        return Browser(url, self.cookies)

    def request(self, path: str, form: dict[str, Any] | None = None) -> tuple[int, str]:
        """The status and body of GET ``path``, or of POSTing ``form`` to it (a list value: the field
        repeated)."""
        data = urllib.parse.urlencode(form, doseq=True).encode() if form is not None else None
        try:
            with self._open(self.url + path, data=data, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def json(self, path: str) -> Any:
        """The JSON answer of GET ``path`` (which must answer 200)."""
        status, body = self.request(path)
        assert status == 200, (path, status, body[:500])
        return json.loads(body)

    def post(self, path: str, form: dict[str, str | list[str]], form_page: str = "/") -> tuple[int, str]:
        """POST ``form`` to ``path`` with the session's CSRF token (read from a form on ``form_page``)."""
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.request(form_page)[1])
        assert found, f"no CSRF token on {form_page}"
        return self.request(path, {**form, "csrf_token": found.group(1)})

    def sign_in(self, login: str, password: str) -> tuple[int, str]:
        """Fill in the sign-in form and send it: 302 (signed in), 401 (refused) or 429 (too many)."""
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.request("/login")[1])
        assert found, "no CSRF token on the sign-in page"
        return self.request("/login", {"login": login, "password": password, "csrf_token": found.group(1)})
