"""Running graphapp as real processes in tests: a command, or `graphapp serve` on a free loopback port."""

from __future__ import annotations

import contextlib
import http.cookiejar
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

from devtools.neo4j_harness.throwaway import free_port
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
def serving(
    env: dict[str, str],
    log_path: Path,
    command: tuple[str, ...] = (sys.executable, "-m", "graphapp.cli"),
    **popen: Any,
) -> Iterator[str]:
    """Run `graphapp serve` on a free loopback port until the block ends; yield its URL once it answers.
    ``command`` is how graphapp is started (by default this interpreter's, from the checkout)."""
    port = free_port()
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [*command, "serve", "--port", str(port)],
            env=env,
            **popen,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 60
        try:
            while True:
                try:
                    _page(url)
                    break
                except urllib.error.HTTPError:
                    break  # it answers (an error page is an answer too)
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        pytest.fail("graphapp serve did not start:\n" + log_path.read_text())
                    time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def _page(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback only)
        return response.read().decode()


class _Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # (a redirect is an answer to look at, not to follow)


class Browser:
    """Someone using a running graphapp: keeps its cookies, does not follow redirects."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self._open = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _Stay()
        ).open

    def request(self, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        """The status and body of GET ``path``, or of POSTing ``form`` to it."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self._open(self.url + path, data=data, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def sign_in(self, login: str, password: str) -> tuple[int, str]:
        """Fill in the sign-in form and send it: 302 (signed in), 401 (refused) or 429 (too many)."""
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.request("/login")[1])
        assert found, "no CSRF token on the sign-in page"
        return self.request("/login", {"login": login, "password": password, "csrf_token": found.group(1)})
