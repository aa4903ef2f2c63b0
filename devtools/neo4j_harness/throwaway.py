"""A throwaway Neo4j 5.26 for the tests and benchmarks, from Maven Central's neo4j-harness.

Maven resolves the harness (once; it is cached in ~/.m2) and writes its class path; Java 17 runs the
single-file launcher beside this module, which listens on a free loopback port with authentication off.
If anything on the way fails, :class:`Neo4jDidNotStart` says what and why: a Neo4j that does not start
is a failure, never a reason to skip.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

HERE = Path(__file__).resolve().parent
POM = HERE / "pom.xml"
LAUNCHER = HERE / "Neo4jLauncher.java"
CLASSPATH = HERE / "classpath.txt"
READY = re.compile(r"READY (bolt://\S+?)/?(?:\x1b\[[0-9;]*m)*\s*$")


class Neo4jDidNotStart(RuntimeError):
    pass


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise Neo4jDidNotStart(
            f"'{name}' is not on PATH: the Neo4j tests need Java 17 and Maven (see the README's prerequisites)"
        )
    return path


def resolve_classpath() -> str:
    """The harness's class path, resolved by Maven (re-resolved whenever pom.xml changes)."""
    if CLASSPATH.exists() and CLASSPATH.stat().st_mtime >= POM.stat().st_mtime:
        text = CLASSPATH.read_text().strip()
        if text and all(Path(p).exists() for p in text.split(os.pathsep)[:3]):
            return text
    mvn = _tool("mvn")
    proc = subprocess.run(
        [mvn, "-B", "-q", "-f", str(POM), "dependency:build-classpath", f"-Dmdep.outputFile={CLASSPATH}"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if proc.returncode != 0 or not CLASSPATH.exists():
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise Neo4jDidNotStart(f"Maven could not resolve org.neo4j.test:neo4j-harness:\n{tail}")
    return CLASSPATH.read_text().strip()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def listening(proc: subprocess.Popen[Any], port: int, within: float) -> bool:
    """Wait until ``proc`` accepts a connection on loopback ``port``: True as soon as it does, False if it
    ends or ``within`` seconds pass first."""
    deadline = time.monotonic() + within
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                return False
            time.sleep(0.01)


class ThrowawayNeo4j:
    """A Neo4j server in a child JVM. ``start()`` returns its bolt URI; ``close()`` ends it.
    ``transaction_max`` bytes limit what one transaction may hold (``db.memory.transaction.max``;
    0, the default, leaves only the server's limit for all transactions, 70% of the heap)."""

    def __init__(self, heap: str = "1g", pagecache_mb: int = 512, transaction_max: int = 0) -> None:
        self.heap = heap
        self.pagecache_mb = pagecache_mb
        self.transaction_max = transaction_max
        self.uri: str | None = None
        self.proc: subprocess.Popen[str] | None = None
        self.workdir = Path(tempfile.mkdtemp(prefix="graphapp-neo4j-"))
        self.log_path = self.workdir / "launcher.log"
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._log: IO[str] | None = None

    def start(self, timeout: float = 240) -> str:
        java = _tool("java")
        classpath = resolve_classpath()
        port = free_port()
        self._log = log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [
                java,
                f"-Xmx{self.heap}",
                f"-Dgraphapp.pagecache={self.pagecache_mb * 2**20}",
                f"-Dgraphapp.transaction.max={self.transaction_max}",
                "-cp",
                classpath,
                str(LAUNCHER),
                str(port),
                str(self.workdir / "data"),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            bufsize=1,
        )
        threading.Thread(target=self._pump, daemon=True).start()
        self.uri = self._wait_for("READY", timeout)
        return self.uri

    def _pump(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _wait_for(self, word: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.close()
                raise Neo4jDidNotStart(f"Neo4j did not say {word} within {timeout:.0f} s\n{self._log_tail()}")
            try:
                line = self._lines.get(timeout=min(remaining, 1.0))
            except queue.Empty:
                continue
            if line is None:
                code = self.proc.wait() if self.proc else None
                raise Neo4jDidNotStart(
                    f"the Neo4j launcher exited ({code}) before {word}\n{self._log_tail()}"
                )
            if word == "READY":
                match = READY.search(line)
                if match:
                    return match.group(1)
            elif word in line:
                return line.strip()

    def _log_tail(self) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-25:])
        except OSError:
            return ""

    def _command(self, command: str) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def stop_server(self, timeout: float = 60) -> None:
        """Take the database away (the JVM stays, ready to start it again on the same port)."""
        self._command("stop")
        self._wait_for("STOPPED", timeout)

    def start_server(self, timeout: float = 120) -> str:
        self._command("start")
        self.uri = self._wait_for("READY", timeout)
        return self.uri

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                self._command("quit")
                self.proc.wait(timeout=60)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None:
            for stream in (self.proc.stdin, self.proc.stdout):
                if stream is not None:
                    stream.close()
        if self._log is not None:
            self._log.close()
            self._log = None
        self.proc = None
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> ThrowawayNeo4j:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
