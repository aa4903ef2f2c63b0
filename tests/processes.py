"""Running graphapp as real processes in tests: a command, or `graphapp serve` on a free loopback port."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.neo4j_harness.throwaway import free_port


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
    return {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "NEO4J_URI",
            "NEO4J_USER",
            "NEO4J_PASSWORD",
            "NEO4J_DATABASE",
            "GRAPHAPP_DB",
            "GRAPHAPP_ENV",
            "GRAPHAPP_PUBLIC",
            "GRAPHAPP_SECRET_KEY",
        )
    }


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
