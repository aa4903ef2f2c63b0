"""Preparing what is kept per graph revision as the app starts, in a background thread.

A server that has just started holds nothing derived from the graph yet: its first suggestion builds the
interest index and its first coverage view the coverage report (seconds at 100,000 members, more on a
Neo4j whose caches are cold). :class:`WarmUp` reads them once, in a thread of its own, as soon as the app
is served (``graphapp serve``, before it listens; ``graphapp.wsgi:app`` or ``create_app(warm_up=True)``
under another WSGI server), so that pages answer meanwhile
and the first person to ask finds them ready. A page that needs an item being prepared waits for that
one build (``Derived.get`` builds one at a time) rather than starting another.

``/api/health`` says how far it got (:meth:`WarmUp.state`), for a load balancer's readiness check.
What is prepared is kept per revision as before: a write anywhere makes the next reader bring it up to
date, which the warm-up does not undo.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask

from graphapp.queries.cypher import Tx

__all__ = ["STEPS", "WarmUp", "start", "warm_up_of"]

log = logging.getLogger(__name__)

#: Where the app keeps its warm-up (``app.extensions``).
KEY = "graphapp.warm_up"
#: How long to wait before trying again when the database does not answer (it may be starting too).
RETRY_SECONDS = 2.0


def _interest_index(tx: Tx, app: Flask) -> None:
    """The suggestion index: what every suggestion, ask and the coverage report read first."""
    from graphapp import reports

    reports.interest_index(tx)


def _coverage(tx: Tx, app: Flask) -> None:
    """What the coverage page reads: the gap report, the heat map and the stale shares (as the page
    reads them, with the app's timing, so that the page finds each one kept)."""
    from graphapp import freshness
    from graphapp.pages.coverage import coverage_page

    coverage_page(tx, freshness.Timing.from_config(app.config))


def _directory_and_map(tx: Tx, app: Flask) -> None:
    """What the directory and the explorer show first: everyone by name with the whole network's facets,
    the forms' choices, and the whole network's map grouped by organisation (at 100,000 members, 5 s
    each for the first reader otherwise)."""
    from graphapp import reports
    from graphapp.contactmap import View
    from graphapp.queries.members import MemberFilter

    reports.directory(tx, MemberFilter(), 1, 25)
    reports.choice_lists(tx)
    reports.people_in(tx, View())
    reports.map_of(tx, View(aggregate="organisation"))


def _templates(tx: Tx, app: Flask) -> None:
    """Every page's template, compiled (Jinja compiles each on its first use: a second or more in all)."""
    for name in app.jinja_env.list_templates(extensions=["html"]):
        app.jinja_env.get_template(name)


#: What is prepared, in order: each a read function ``fn(tx, app)`` run in one read transaction.
STEPS: tuple[tuple[str, Callable[[Tx, Flask], None]], ...] = (
    ("interest-index", _interest_index),
    ("coverage-report", _coverage),
    ("directory-and-map", _directory_and_map),
    ("templates", _templates),
)


class WarmUp:
    """The app's caches being prepared in a daemon thread: each step ``waiting``, ``warming``, ``ready``
    or ``failed`` (an error the log explains; its first reader then builds it, as without a warm-up)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._steps = {name: "waiting" for name, _ in STEPS}
        self._seconds: dict[str, float] = {}
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="graphapp-warm-up", daemon=True)

    def start(self) -> WarmUp:
        self._thread.start()
        return self

    def _set(self, name: str, state: str, seconds: float | None = None) -> None:
        with self._lock:
            self._steps[name] = state
            if seconds is not None:
                self._seconds[name] = round(seconds, 3)

    def state(self) -> dict[str, Any]:
        """``caches``: ``warming`` until every step has ended, then ``ready``; ``steps``: each step's state;
        ``seconds``: how long each step that ended took."""
        with self._lock:
            steps = dict(self._steps)
            seconds = dict(self._seconds)
        done = all(s in ("ready", "failed") for s in steps.values())
        return {"caches": "ready" if done else "warming", "steps": steps, "seconds": seconds}

    def _run(self) -> None:
        from graphapp.db import get_store
        from graphapp.store import StoreUnavailable, TransactionTooLarge

        with self.app.app_context():
            for name, step in STEPS:
                self._set(name, "warming")
                began = time.monotonic()
                while True:
                    try:
                        get_store().read(step, self.app)
                    except TransactionTooLarge:
                        log.exception("warm-up of %s failed; its first reader will build it", name)
                        self._set(name, "failed", time.monotonic() - began)
                    except StoreUnavailable as e:  # (down or starting: try again, as a page would)
                        log.warning("warm-up of %s waits for the database: %s", name, e)
                        time.sleep(RETRY_SECONDS)
                        continue
                    except Exception:
                        log.exception("warm-up of %s failed; its first reader will build it", name)
                        self._set(name, "failed", time.monotonic() - began)
                    else:
                        self._set(name, "ready", time.monotonic() - began)
                        log.info("warm-up: %s ready in %.1f s", name, time.monotonic() - began)
                    break


def warm_up_of(app: Flask) -> WarmUp | None:
    """The app's warm-up, or None when it has none (``GRAPHAPP_WARM_UP`` off, or an app not served:
    a command's, a test's)."""
    found: WarmUp | None = app.extensions.get(KEY)
    return found


def start(app: Flask) -> WarmUp | None:
    """Start preparing the app's caches (once), unless ``GRAPHAPP_WARM_UP`` is off; the warm-up, if any."""
    from graphapp.settings import switched_on

    if switched_on(app.config.get("GRAPHAPP_WARM_UP")) and KEY not in app.extensions:
        app.extensions[KEY] = WarmUp(app).start()
    return warm_up_of(app)
