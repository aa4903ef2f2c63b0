"""The server's own mail worker: ``graphapp serve`` sends the queued mail every ``GRAPHAPP_MAIL_INTERVAL``
seconds in a thread of its own. Several servers may share one Neo4j and each run one: every mail is
claimed in a transaction of its own before it is sent (:func:`graphapp.queries.mail.claim_due`), so it
goes once."""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask

__all__ = ["MailWorker"]

log = logging.getLogger("graphapp.mail")


class MailWorker:
    """Sends the queue once at start, then every ``interval`` seconds, until :meth:`stop`."""

    def __init__(self, app: Flask, interval: float) -> None:
        self.app = app
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="graphapp-mail", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.round()
            self._stop.wait(self.interval)

    def round(self) -> dict[str, Any] | None:
        """Send what is due; a failure is logged (and the mails stay queued), never the end of the worker."""
        from graphapp.db import get_store
        from graphapp.mail import deliver_queued

        try:
            with self.app.app_context():
                done = deliver_queued(get_store(), self.app.config)
        except Exception:  # the next round tries again; the server goes on serving
            log.exception("sending the queued mail failed; trying again in %s s", self.interval)
            return None
        if any(done.values()):
            log.info("mail: %s", ", ".join(f"{n} {what}" for what, n in done.items() if n))
        return done
