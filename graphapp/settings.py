"""graphapp's settings, read from the environment: each one's name, default and meaning, in one table.

The app factory, :func:`graphapp.store.open_store`, the ``graphapp`` command's help and the tests' clean
environment all read :data:`SETTINGS`; README's settings table lists the same names (a test checks it).
No Flask here, so that the store and the command line can read it too.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["DEFAULT_SECRET_KEY", "SETTINGS", "STORE_SETTINGS", "Setting", "from_environment", "switched_on"]


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, its default (None: unset) and what it is for."""

    name: str
    default: Any
    meaning: str
    #: Whether it says which store to open (read by :func:`graphapp.store.open_store`).
    store: bool = False
    #: The key in the Flask app's config, where it differs from the name.
    config_key: str = ""

    @property
    def key(self) -> str:
        return self.config_key or self.name


#: Good enough for trying graphapp out on one's own machine; refused in production.
DEFAULT_SECRET_KEY = "graphapp-development-only"  # noqa: S105 (a known value, refused in production)

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "NEO4J_URI",
        None,
        "the Neo4j to use, e.g. neo4j://neo4j.example.org:7687 or neo4j+s://xxxx.databases.neo4j.io",
        store=True,
    ),
    Setting("NEO4J_USER", None, "Neo4j user name", store=True),
    Setting("NEO4J_PASSWORD", None, "Neo4j password", store=True),
    Setting("NEO4J_DATABASE", None, "the database name (default: the server's default)", store=True),
    Setting(
        "GRAPHAPP_DB",
        "graphapp.lbug",
        "path of the embedded file, used when NEO4J_URI is not set",
        store=True,
    ),
    Setting(
        "NEO4J_RETRY_SECONDS",
        3,
        "how long a page waits for a Neo4j that does not answer before saying 503 (commands wait 30 s)",
        store=True,
    ),
    Setting(
        "GRAPHAPP_ENV", "development", "production: refuses a default secret key, cookies only over HTTPS"
    ),
    Setting(
        "GRAPHAPP_SECRET_KEY",
        DEFAULT_SECRET_KEY,
        "signs the session cookies; required (32+ random characters) in production",
        config_key="SECRET_KEY",
    ),
    Setting(
        "GRAPHAPP_PUBLIC", "", "1: anonymous visitors may browse the network, without any contact details"
    ),
    Setting("GRAPHAPP_MAX_UPLOAD_MB", 20, "the most a web import (all its files together) may carry, in MiB"),
    Setting(
        "GRAPHAPP_NEO4J_WARNINGS",
        "",
        "1: raise the Neo4j server's warnings (a deprecated function...) as Python warnings, as the tests "
        "do; they are always logged (logger neo4j.notifications)",
    ),
    Setting(
        "GRAPHAPP_PROXIES",
        0,
        "how many reverse proxies stand in front of graphapp: each visitor's address (which the sign-in "
        "limit counts) is then read from X-Forwarded-For; 0: from the connection",
    ),
    Setting(
        "GRAPHAPP_WARM_UP",
        "1",
        "1: a server prepares the suggestion index and the coverage report in the background as it starts "
        "(/api/health says when they are ready); 0: each is made by its first reader",
    ),
    Setting(
        "GRAPHAPP_BASE_URL",
        "",
        "the site's public address, e.g. https://graphapp.example.org, for the links in mails; required "
        "in production (unset elsewhere: the address of the request that caused the mail)",
    ),
    Setting(
        "GRAPHAPP_SMTP_HOST",
        "",
        "the mail server that sends graphapp's mails; unset: mails go to the outbox, which admins read in "
        "the app and `graphapp mail outbox` prints",
    ),
    Setting("GRAPHAPP_SMTP_PORT", 25, "the mail server's port (587 for STARTTLS, 465 for TLS, as a rule)"),
    Setting(
        "GRAPHAPP_SMTP_SECURITY",
        "starttls",
        "starttls, tls (the connection is TLS from the start) or none (only for a server on this machine)",
    ),
    Setting("GRAPHAPP_SMTP_USER", "", "the mail server's user name, if it wants one"),
    Setting("GRAPHAPP_SMTP_PASSWORD", "", "the mail server's password"),
    Setting("GRAPHAPP_MAIL_FROM", "graphapp@localhost", "the sender of graphapp's mails"),
    Setting(
        "GRAPHAPP_MAIL_INTERVAL",
        30,
        "how often (seconds) `graphapp serve` sends the queued mail; 0: never (run `graphapp mail "
        "send-queued` instead). Several servers on one Neo4j may all do it: each mail is sent once",
    ),
    Setting(
        "GRAPHAPP_JOIN_DAYS",
        3,
        "how many days a request to join waits for its mailed link to be followed before it is dropped",
    ),
    Setting(
        "GRAPHAPP_CONFIRM_MONTHS",
        12,
        "how many months a confirmed profile stays fresh; then `graphapp remind` mails its owner a link to "
        "confirm it",
    ),
    Setting(
        "GRAPHAPP_REMINDER_DAYS",
        30,
        "how many days each reminder to confirm a profile waits for an answer: then a second reminder, "
        "then the member is left out of suggestions until they confirm it and their consent again",
    ),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
#: The names of the settings that say which store to open.
STORE_SETTINGS: tuple[str, ...] = tuple(s.name for s in SETTINGS if s.store)


def switched_on(value: object) -> bool:
    """A yes-or-no setting: on for 1, true, yes or on (any case), off otherwise.

    >>> switched_on("1"), switched_on("Yes"), switched_on("0"), switched_on(""), switched_on(True)
    (True, True, False, False, True)
    """
    return value is True or str(value).strip().lower() in ("1", "true", "yes", "on")


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every setting, keyed as the app's config keys them: the environment's value where it is set and
    not empty, the default otherwise.

    >>> from_environment({"GRAPHAPP_DB": "/srv/graph.lbug", "GRAPHAPP_PUBLIC": ""})["GRAPHAPP_DB"]
    '/srv/graph.lbug'
    >>> from_environment({})["NEO4J_RETRY_SECONDS"], from_environment({})["NEO4J_URI"]
    (3, None)
    """
    environ = os.environ if environ is None else environ
    return {s.key: environ.get(s.name) or s.default for s in SETTINGS}
