"""The people of the load benchmark (benchmarks/load_speed.py), for Locust: signed-in members browsing
profiles, their suggestions (page and API), the directory and the explorer, and now and then a
coordinator opening the coverage page. Run by load_speed.py as ``locust --headless -f`` this file.

Read from the environment: ``GRAPHAPP_LOAD_ACCOUNTS`` (a JSON file: ``{"members": [[login, member id],
...], "coordinators": [login, ...], "password": ..., "profiles": [member id, ...]}``) and
``GRAPHAPP_LOAD_MAX_REQUESTS`` (the run stops after that many requests, whatever its time limit),
``GRAPHAPP_LOAD_COORDINATORS`` (how many of the users are coordinators), ``GRAPHAPP_LOAD_THINK`` (the
members' pause between pages, in seconds on average; 0 or unset: none).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from typing import Any

from locust import HttpUser, between, constant, events, task

_ACCOUNTS: dict[str, Any] = json.loads(open(os.environ["GRAPHAPP_LOAD_ACCOUNTS"]).read())  # noqa: SIM115
_MAX_REQUESTS = int(os.environ.get("GRAPHAPP_LOAD_MAX_REQUESTS") or 0)
_members = itertools.cycle(_ACCOUNTS["members"])
_coordinators = itertools.cycle(_ACCOUNTS["coordinators"])
_sent = itertools.count(1)
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@events.request.add_listener
def _stop_at_the_cap(**_: Any) -> None:
    """Bounded in requests as well as in time."""
    if _MAX_REQUESTS and next(_sent) >= _MAX_REQUESTS:
        runner = _environment.runner if _environment is not None else None
        if runner is not None:
            runner.quit()


_environment: Any = None


@events.init.add_listener
def _keep(environment: Any, **_: Any) -> None:
    global _environment
    _environment = environment


_addresses = itertools.count(1)


def _sign_in(user: HttpUser, login: str) -> None:
    # Each person from an address of their own, as on a real site (the server trusts one proxy,
    # GRAPHAPP_PROXIES=1): the sign-in limit counts attempts per address, and people sharing one
    # address who sign in at the same moment count against each other until their passwords are checked.
    n = next(_addresses)
    user.client.headers["X-Forwarded-For"] = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
    page = user.client.get("/login", name="sign in (page)").text
    found = _TOKEN.search(page)
    form = {"login": login, "password": _ACCOUNTS["password"], "csrf_token": found.group(1) if found else ""}
    with user.client.post("/login", data=form, name="sign in", catch_response=True) as answer:
        if "/login" in answer.url:  # (refused: the form again)
            answer.failure(f"{login} could not sign in")


def _page(user: HttpUser, path: str, name: str) -> None:
    """GET ``path``; a failure unless it answers 2xx with the page itself (not the sign-in page that a
    lost session is sent to)."""
    with user.client.get(path, name=name, catch_response=True) as answer:
        if answer.status_code >= 400:
            answer.failure(f"{answer.status_code}: {answer.text[:200]}")
        elif "/login" in answer.url:
            answer.failure("sent to the sign-in page: the session was lost")
        else:
            answer.success()


#: Seconds a member reads a page before the next (``GRAPHAPP_LOAD_THINK``, on average; 0: no pause).
_THINK = float(os.environ.get("GRAPHAPP_LOAD_THINK") or 0)


class Member(HttpUser):
    """A signed-in member, one request after another: after a pause of 0.5 to 1.5 times
    ``GRAPHAPP_LOAD_THINK`` seconds (a person reading), or none (0: the figure is what the server can do)."""

    weight = 15
    wait_time = between(_THINK / 2, _THINK * 1.5) if _THINK else constant(0)

    def on_start(self) -> None:
        self.login, self.me = next(_members)
        self.rng = random.Random(self.login)
        _sign_in(self, self.login)

    def _someone(self) -> str:
        return str(self.rng.choice(_ACCOUNTS["profiles"]))

    @task(6)
    def profile(self) -> None:
        _page(self, f"/members/{self._someone()}", "profile page (with suggestions)")

    @task(2)
    def suggestions_page(self) -> None:
        _page(self, f"/members/{self.me}?mode=mentors", "suggestions page (mentors)")

    @task(3)
    def suggestions_api(self) -> None:
        _page(self, f"/api/members/{self.me}/suggestions", "suggestions (API)")

    @task(2)
    def directory(self) -> None:
        _page(self, f"/members?page={self.rng.randint(1, 20)}", "directory")

    @task(1)
    def explorer(self) -> None:
        _page(self, "/explore", "explorer")


class Coordinator(HttpUser):
    """A coordinator opening the coverage page now and then (``GRAPHAPP_LOAD_COORDINATORS`` of them)."""

    fixed_count = int(os.environ.get("GRAPHAPP_LOAD_COORDINATORS") or 0)
    wait_time = between(2, 4)

    def on_start(self) -> None:
        _sign_in(self, next(_coordinators))

    @task
    def coverage(self) -> None:
        _page(self, "/coverage", "coverage")
