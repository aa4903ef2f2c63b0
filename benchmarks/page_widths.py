"""How wide every page is on a phone: each HTML page of the app, at 390x844, in each language.

    .venv/bin/python -m benchmarks.page_widths [--checkout DIR] [--python PY] [--languages en fr ru]

A fresh embedded store gets the demo network and an administrator tied to a demo member (so that every
page opens); `graphapp serve` runs from ``--checkout`` (default: this one) with ``--python``'s packages;
headless Chromium, signed in, emulates a 390x844 phone screen and opens every page once per language
(set by the chooser's cookie), and the table gives ``document.documentElement.scrollWidth``: more than
390 means the reader has to scroll sideways. Ids in page addresses are the demo's (an ask and an
introduction are made first, through the pages, as a member would). Figures, not assertions:
tests/browser/test_widths.py asserts the same pages fit.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from devtools.chromium import start_chromium

ADMIN = "admin@example.org"
PASSWORD = "a long enough passphrase"  # noqa: S105 (a throwaway demo account)
WIDTH, HEIGHT = 390, 844
LANGUAGES = ("en", "fr", "ru")
COOKIE = "graphapp_lang"  # graphapp.i18n.COOKIE (not imported: the 'before' checkout has no i18n)
DEVELOPMENT_KEY = "graphapp-development-only"  # graphapp.settings.DEFAULT_SECRET_KEY

#: GET routes that are not pages a person reads (files, JSON, redirects), each with why.
NOT_PAGES = {
    "/areas/edsf.csv": "a download",
    "/coverage/growth.csv": "a download",
    "/coverage/growth.svg": "a picture, shown inside the coverage page",
    "/history.csv": "a download",
    "/import/templates/<kind>.csv": "a download",
    "/me/data.json": "a download",
    "/vendor/<name>": "a script file",
}

#: Each page's address, as a rule of the app's url_map -> a path with the demo's ids (``ids``, see
#: :func:`demo_ids`). A page added to the app and missing here fails tests/browser/test_widths.py.
PAGES: dict[str, Callable[[dict[str, str]], str]] = {
    "/": lambda i: "/",
    "/login": lambda i: "/login",
    "/invite/<token>": lambda i: f"/invite/{i['invitation']}",
    "/admin/accounts": lambda i: "/admin/accounts",
    "/admin/mail": lambda i: "/admin/mail",
    "/areas": lambda i: "/areas",
    "/areas/import": lambda i: "/areas/import",
    "/asks": lambda i: "/asks",
    "/asks/<ask>": lambda i: f"/asks/{i['ask']}",
    "/confirm/<token>": lambda i: f"/confirm/{i['confirmation']}",
    "/countries/<country>": lambda i: f"/countries/{i['country']}",
    "/regions/<region>": lambda i: f"/regions/{i['region']}",
    "/coverage": lambda i: "/coverage",
    "/coverage/areas": lambda i: "/coverage/areas",
    "/coverage/growth": lambda i: "/coverage/growth",
    "/explore": lambda i: "/explore",
    "/history": lambda i: "/history",
    "/import": lambda i: "/import",
    "/import/formats": lambda i: "/import/formats",
    "/introductions": lambda i: "/introductions",
    "/introductions/<introduction>": lambda i: f"/introductions/{i['introduction']}",
    "/introductions/answer/<token>": lambda i: "/introductions/answer/a-link-no-longer-valid",
    "/introductions/new": lambda i: f"/introductions/new?to={i['other']}&kind=profile",
    "/introductions/stats": lambda i: "/introductions/stats",
    "/join": lambda i: "/join",
    "/join/confirm/<token>": lambda i: "/join/confirm/a-link-no-longer-valid",
    "/join/domains": lambda i: "/join/domains",
    "/join/requests": lambda i: "/join/requests",
    "/join/sent": lambda i: "/join/sent",
    "/journey": lambda i: "/journey",
    "/mail/preferences/<token>": lambda i: f"/mail/preferences/{i['preferences']}",
    "/me": lambda i: "/me",
    "/members": lambda i: "/members",
    "/members/<member>": lambda i: f"/members/{i['member']}",
    "/members/<member>/edit": lambda i: f"/members/{i['member']}/edit",
    "/members/<member>/history": lambda i: f"/members/{i['member']}/history",
    "/members/stale": lambda i: "/members/stale",
    "/organisations": lambda i: "/organisations",
    "/organisations/<organisation>": lambda i: f"/organisations/{i['organisation']}",
    "/organisations/manage": lambda i: "/organisations/manage",
    "/organisations/manage/<node_id>": lambda i: f"/organisations/manage/{i['organisation']}",
    "/organisations/manage/<node_id>/merge": lambda i: (
        f"/organisations/manage/{i['organisation']}/merge?into={i['other_organisation']}"
    ),
    "/places": lambda i: "/places",
    "/projects": lambda i: "/projects",
    "/projects/<project>": lambda i: f"/projects/{i['project']}",
    "/projects/<project_id>/delete": lambda i: f"/projects/{i['project']}/delete",
    "/projects/<project_id>/edit": lambda i: f"/projects/{i['project']}/edit",
    "/projects/new": lambda i: "/projects/new",
    "/resources": lambda i: "/resources",
    "/resources/<resource>/edit": lambda i: f"/resources/{i['resource']}/edit",
    "/resources/new": lambda i: "/resources/new",
    "/themes/<theme>": lambda i: f"/themes/{i['theme']}",
    "/topics": lambda i: "/topics",
    "/topics/<topic>": lambda i: f"/topics/{i['topic']}",
    "/topics/manage": lambda i: "/topics/manage",
    "/topics/manage/<node_id>": lambda i: f"/topics/manage/{i['topic']}",
    "/topics/manage/<node_id>/merge": lambda i: f"/topics/manage/{i['topic']}/merge?into={i['other_topic']}",
    "/topics/proposals": lambda i: "/topics/proposals",
    "/workstreams": lambda i: "/workstreams",
    "/workstreams/<workstream>": lambda i: f"/workstreams/{i['workstream']}",
}


def html_routes(python: str, checkout: Path) -> set[str]:
    """The GET rules of the app in ``checkout`` (outside the JSON API and static files)."""
    script = (
        "import json\n"
        "from graphapp import create_app\n"
        "app = create_app()\n"
        "print(json.dumps(sorted({r.rule for r in app.url_map.iter_rules() if 'GET' in (r.methods or ())"
        " and r.endpoint != 'static' and not r.endpoint.startswith('api.')})))\n"
    )
    env = {**_clean_env(), "GRAPHAPP_DB": str(Path(tempfile.gettempdir()) / "page-widths-routes.lbug")}
    done = subprocess.run(
        [python, "-c", script], env=env, cwd=checkout, capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("GRAPHAPP_", "NEO4J_"))}


def _cli(python: str, checkout: Path, env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [python, "-m", "graphapp.cli", *args],
        env=env,
        cwd=checkout,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"graphapp {' '.join(args)}: {done.stderr}")
    return done.stdout


def demo_member(checkout: Path, row: int = 0) -> tuple[str, str]:
    """The id and name of a member of the demo (by row of its members.csv)."""
    import csv

    with (checkout / "graphapp" / "data" / "demo" / "members.csv").open(encoding="utf-8") as f:
        name = list(csv.DictReader(f))[row]["name"]
    return name.lower().replace(" ", "-"), name


@contextlib.contextmanager
def demo_site(python: str, checkout: Path, folder: Path) -> Iterator[tuple[str, str]]:
    """`graphapp serve` from ``checkout`` with the demo and an administrator tied to the demo's first
    member; yields the site's URL and an invitation's path token."""
    import socket
    import urllib.request

    env = {**_clean_env(), "GRAPHAPP_DB": str(folder / "demo.lbug")}
    _cli(python, checkout, env, "demo")
    member = _member_id(python, checkout, env)
    _cli(
        python, checkout, env, "account", "create", ADMIN, "--role", "admin", "--member", member,
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    invitation = _cli(
        python, checkout, env, "account", "invite", "--role", "member", "--base-url", "http://x"
    )
    token = invitation.strip().rsplit("/", 1)[-1]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with (folder / "serve.log").open("w") as log:
        proc = subprocess.Popen(
            [python, "-m", "graphapp.cli", "serve", "--port", str(port)],
            env=env,
            cwd=checkout,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(url + "/login", timeout=5).close()  # noqa: S310 (loopback)
                    break
                except OSError:
                    if proc.poll() is not None:
                        raise RuntimeError((folder / "serve.log").read_text()) from None
                    time.sleep(0.2)
            yield url, token
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def _member_id(python: str, checkout: Path, env: dict[str, str]) -> str:
    script = (
        "import os\nfrom graphapp.store import LadybugStore\n"
        "s = LadybugStore(os.environ['GRAPHAPP_DB'])\n"
        "print(s.read(lambda tx: tx.run('MATCH (m:Member) RETURN m.id AS id ORDER BY m.id LIMIT 1')[0]['id']))\n"
        "s.close()\n"
    )
    done = subprocess.run(
        [python, "-c", script], env=env, cwd=checkout, capture_output=True, text=True, check=True
    )
    return done.stdout.strip().splitlines()[-1]


def phone(driver: webdriver.Chrome) -> None:
    """Make the browser a 390x844 phone screen (the page lays out as on a phone: meta viewport honoured)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": True},
    )


def sign_in(driver: webdriver.Chrome, site: str) -> None:
    driver.get(site + "/login")
    driver.find_element(By.ID, "login").send_keys(ADMIN)
    driver.find_element(By.ID, "password").send_keys(PASSWORD, Keys.ENTER)
    WebDriverWait(driver, 30).until(lambda d: "/login" not in d.current_url)


_POST = """
const [from, path, form, done] = arguments;
const page = await fetch(from);
const html = await page.text();
const token = html.match(/name="csrf_token" value="([^"]+)"/)[1];
const body = new URLSearchParams({csrf_token: token});
for (const [k, v] of Object.entries(form)) for (const x of [].concat(v)) body.append(k, x);
const answer = await fetch(path, {method: 'POST', body});
done(answer.url);
"""


def _api(driver: webdriver.Chrome, path: str) -> Any:
    return driver.execute_async_script(
        "const [path, done] = arguments; fetch(path).then(r => r.json()).then(done);", path
    )


def demo_ids(driver: webdriver.Chrome, site: str, invitation: str) -> dict[str, str]:
    """The ids the pages' addresses need, from the signed-in site's API; posts an ask and asks for an
    introduction (as the administrator's member) so that their pages exist."""
    driver.get(site + "/")
    members = _api(driver, "/api/members?per_page=3")["items"]
    me = driver.execute_script("return document.querySelector('a[href^=\"/members/\"][aria-current], "
                               "header a[href^=\"/members/\"]:last-of-type')?.getAttribute('href')")  # fmt: skip
    mine = (me or "").rsplit("/", 1)[-1]
    others = [m["id"] for m in members if m["id"] != mine]
    organisations = [o["id"] for o in _api(driver, "/api/organisations?per_page=2")["items"]]
    topics = [t["id"] for t in _api(driver, "/api/topics?per_page=2")["items"]]
    first = members[0]
    ids = {
        "member": first["id"],
        "other": others[0],
        "organisation": organisations[0],
        "other_organisation": organisations[1],
        "topic": topics[0],
        "other_topic": topics[1],
        "workstream": _api(driver, "/api/workstreams")["items"][0]["id"],
        "country": first.get("country") or "FIN",
        "region": "Europe",
        "invitation": invitation,
        "preferences": URLSafeSerializer(DEVELOPMENT_KEY, salt="graphapp mail preferences").dumps(
            first["id"]
        ),
        "confirmation": URLSafeTimedSerializer(DEVELOPMENT_KEY, salt="graphapp profile confirmation").dumps(
            first["id"]
        ),
    }
    for key, path in (("project", "/api/projects"), ("theme", "/api/themes"), ("resource", "/api/resources")):
        ids[key] = _api(driver, path)["items"][0]["id"]
    posted = driver.execute_async_script(
        _POST, "/asks", "/asks",
        {"kind": "technical", "text": "How do others check a classifier's drift over time?", "topics": topics[:1]},
    )  # fmt: skip
    ids["ask"] = posted.rstrip("/").rsplit("/", 1)[-1]
    driver.execute_async_script(
        _POST, f"/introductions/new?to={others[0]}&kind=profile", "/introductions",
        {"to": others[0], "kind": "profile", "ask": "", "note": "We work on the same topics; may we talk?"},
    )  # fmt: skip
    ids["introduction"] = _api(driver, "/api/introductions")["others"][0]["id"]
    return ids


def widths(
    driver: webdriver.Chrome,
    site: str,
    paths: dict[str, str],
    languages: tuple[str, ...] = LANGUAGES,
    titles: dict[str, str] | None = None,
) -> dict[str, dict[str, int]]:
    """rule -> language -> the page's width in CSS pixels (``scrollWidth`` of the document), at 390x844;
    each page's title (in the last language) goes to ``titles``, if given."""
    phone(driver)
    found: dict[str, dict[str, int]] = {rule: {} for rule in paths}
    try:
        for language in languages:
            driver.add_cookie({"name": COOKIE, "value": language, "path": "/"})
            for rule, path in paths.items():
                driver.get(site + path)
                found[rule][language] = int(
                    driver.execute_script("return document.documentElement.scrollWidth")
                )
                if titles is not None:
                    titles[rule] = driver.title
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return found


def table(found: dict[str, dict[str, int]], paths: dict[str, str]) -> str:
    languages = sorted({lang for by in found.values() for lang in by}, key=LANGUAGES.index)
    lines = ["| page | " + " | ".join(languages) + " |", "|---|" + "---:|" * len(languages)]
    for rule in sorted(found):
        cells = [f"**{w}**" if w > WIDTH else str(w) for w in (found[rule].get(x, 0) for x in languages)]
        lines.append(f"| `{rule}` | " + " | ".join(cells) + " |")
    wide = sum(1 for by in found.values() if any(w > WIDTH for w in by.values()))
    lines.append(f"\n{wide} of {len(found)} pages wider than {WIDTH} px in at least one language.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkout", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--python", default=sys.executable, help="the interpreter that runs that checkout")
    parser.add_argument("--languages", nargs="+", default=list(LANGUAGES), choices=LANGUAGES)
    args = parser.parse_args()
    checkout = args.checkout.resolve()
    routes = html_routes(args.python, checkout) - set(NOT_PAGES)
    unknown = routes - set(PAGES)
    if unknown:
        print("not measured (no example address): " + ", ".join(sorted(unknown)), file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp, demo_site(args.python, checkout, Path(tmp)) as (site, token):
        driver = start_chromium()
        try:
            sign_in(driver, site)
            ids = demo_ids(driver, site, token)
            paths = {rule: PAGES[rule](ids) for rule in sorted(routes & set(PAGES))}
            found = widths(driver, site, paths, tuple(args.languages))
        finally:
            driver.quit()
    print(f"Page widths at {WIDTH}x{HEIGHT} (document scrollWidth, CSS px), checkout {checkout}:\n")
    print(table(found, paths))


if __name__ == "__main__":
    main()
