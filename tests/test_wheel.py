"""graphapp as a deployment gets it: a wheel, installed into a fresh virtual environment outside the checkout.

The wheel is built from this checkout and installed with its declared dependencies (so a missing one
fails here), then run from a folder that holds no source: it loads the demo, serves, signs a person in
and renders every page template once. Nothing may come from the checkout: the test checks where
graphapp was imported from.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import _clean_env, serving

CHECKOUT = Path(__file__).resolve().parent.parent
#: Templates that are only ever rendered inside another one.
INCLUDED = {
    "base.html",
    "_partials.html",
    "explorer/_graph.html",
    "explorer/_main.html",
    "pages/_coverage_main.html",
}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(the wheel, the bin folder of a fresh venv with it installed)."""
    work = tmp_path_factory.mktemp("wheel")
    # From a copy without what earlier builds and runs left in the checkout (setuptools' build/ keeps
    # modules that have since been deleted, and would put them in the wheel).
    source = work / "source"
    shutil.copytree(
        CHECKOUT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "*.egg-info", "node_modules", "__pycache__", "*.lbug*", "*.mo"
        ),
    )
    dist = work / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=work,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("graphapp-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=work,
    )
    assert pip.returncode == 0, pip.stderr
    yield wheel, venv / "bin"


def test_the_wheel_claims_only_graphapp(installed: tuple[Path, Path]) -> None:
    wheel, _ = installed
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.startswith("graphapp-")}
    assert top == {"graphapp"}, f"the wheel also claims {sorted(top - {'graphapp'})}"
    for needed in (
        "graphapp/ingest/plan.py",
        "graphapp/queries/schema.py",
        "graphapp/templates/base.html",
        "graphapp/templates/auth/login.html",
        "graphapp/static/graphapp.css",
        "graphapp/static/vendor/vis-network/vis-network.min.js",
        "graphapp/static/vendor/vis-network/LICENSE-MIT",
        "graphapp/data/demo/members.csv",
        "graphapp/data/taxonomy/edsf.csv",
        "graphapp/data/taxonomy/NOTICE.md",
        "graphapp/data/taxonomy/LICENSE",
        "graphapp/translations/fr/LC_MESSAGES/messages.mo",
        "graphapp/translations/ru/LC_MESSAGES/messages.mo",
    ):
        assert needed in names, f"the wheel lacks {needed}"


def _templates(wheel: Path) -> set[str]:
    prefix = "graphapp/templates/"
    return {
        n[len(prefix) :]
        for n in zipfile.ZipFile(wheel).namelist()
        if n.startswith(prefix) and n.endswith(".html")
    }


class Browser:
    """Just enough of a browser: cookies, and the CSRF token of the last form it saw."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.token = ""

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path.lstrip("/")))

    def post(self, path: str, **form: str) -> tuple[int, str]:
        data = urllib.parse.urlencode({"csrf_token": self.token, **form}).encode()
        return self._open(urllib.request.Request(self.base + path.lstrip("/"), data=data))

    def upload(self, path: str, filename: str, content: bytes, **form: str) -> tuple[int, str]:
        """A form with one file (``files``), as multipart/form-data."""
        boundary = "graphapp-wheel-test-boundary"
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in {"csrf_token": self.token, **form}.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{filename}"\r\n'
            "Content-Type: text/csv\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        data = b"".join(parts) + f"--{boundary}--\r\n".encode()
        request = urllib.request.Request(self.base + path.lstrip("/"), data=data)
        request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
        return self._open(request)

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=60) as response:
                status, body = response.status, response.read().decode()
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read().decode()
        found = re.search(r'name="csrf_token" value="([^"]+)"', body)
        if found:
            self.token = found.group(1)
        return status, body


def test_the_installed_wheel_serves_every_page(installed: tuple[Path, Path], tmp_path: Path) -> None:
    wheel, bin_dir = installed
    graphapp = str(bin_dir / "graphapp")
    run = tmp_path / "run"  # no source here: whatever runs comes from the venv
    run.mkdir()
    env = {**_clean_env(), "GRAPHAPP_DB": str(run / "graph.lbug")}
    env.pop("PYTHONPATH", None)

    where = subprocess.run(
        [
            str(bin_dir / "python"),
            "-c",
            "import graphapp.queries, graphapp.resources as r; print(r.TEMPLATES)",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=run,
    )
    assert where.returncode == 0, where.stderr
    assert CHECKOUT not in Path(where.stdout.strip()).parents, where.stdout

    def cli(*args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [graphapp, *args], capture_output=True, text=True, env=env, cwd=run, input=stdin, timeout=600
        )
        assert done.returncode == 0, f"graphapp {' '.join(args)}: {done.stderr}"
        return done.stdout

    cli("demo")
    # The admin is a member of the network too, so that their home page has every part.
    admin_member = json.loads(cli("suggest", "timo.okafor@example.org", "--json"))["member"]
    cli(
        "account",
        "create",
        "admin@example.org",
        "--role",
        "admin",
        "--member",
        admin_member,
        "--password-stdin",
        stdin="a long password 1\n",
    )
    invitation = cli("account", "invite", "--role", "member", "--base-url", "http://x").strip()
    # Two members with accounts, for asks and introductions: one, and the first peer suggested to them.
    suggested = json.loads(cli("suggest", "timo.okafor@example.org", "--json"))
    asker, peer = suggested["member"], suggested["suggestions"][0]["id"]
    for login, member in (("asker@example.org", asker), ("peer@example.org", peer)):
        cli("account", "create", login, "--member", member, "--password-stdin", stdin="a long password 2\n")
    token_path = urllib.parse.urlparse(invitation).path

    # A theme (written with the schema's generic statement, from the wheel's Python, before the server
    # opens the store), so that a theme's page renders whatever the demo holds.
    theme = subprocess.run(
        [
            str(bin_dir / "python"),
            "-c",
            "from graphapp.queries.schema import CREATE_NODES\n"
            "from graphapp.store import LadybugStore\n"
            "import os\n"
            "s = LadybugStore(os.environ['GRAPHAPP_DB'])\n"
            "row = {'id': 'wheel-theme', 'name': 'A theme from the wheel', 'description': '', 'kind': 'theme', 'position': '99'}\n"
            "s.write(lambda tx: tx.run(CREATE_NODES['Theme'], rows=[row]))\n"
            "s.close()\n",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=run,
        timeout=120,
    )
    assert theme.returncode == 0, theme.stderr

    rendered: dict[str, int] = {}
    with serving(env, tmp_path / "serve.log", command=(graphapp,), cwd=run) as url:
        browser = Browser(url)
        status, page = browser.get("/login")
        assert status == 200 and "<h1>Sign in</h1>" in page
        rendered["auth/login.html"] = status
        status, page = browser.get(token_path)
        assert status == 200 and "Create your account" in page
        rendered["auth/invitation.html"] = status
        status, page = browser.post("/login", login="admin@example.org", password="a long password 1")
        assert status == 200 and "The network at a glance" in page, page[:500]
        rendered["pages/index.html"] = status
        for part, heading in {
            "pages/_home_suggestions.html": "People to talk to",
            "pages/_home_profile.html": 'id="home-profile"',
            "pages/_home_asks.html": 'id="home-asks-heading"',
            "pages/_home_whats_new.html": 'id="home-whats-new-heading"',
            "pages/_home_gaps.html": "Where the network is thin",
            "pages/_home_join.html": 'id="home-join-heading"',
            "pages/_home_proposals.html": 'id="home-proposals-heading"',
            "pages/_home_mail.html": 'id="home-mail"',
        }.items():
            assert heading in page, part
            rendered[part] = status

        members = json.loads(browser.get("/api/members?per_page=1")[1])["items"]
        someone = members[0]["id"]
        organisation = json.loads(browser.get("/api/organisations?per_page=1")[1])["items"][0]["id"]
        pages = {
            "/members": ("pages/members.html", "<h1>Directory"),
            f"/members/{someone}": ("pages/member.html", members[0]["name"]),
            # (the been-there mode, issue 14: its part of the profile)
            f"/members/{someone}?mode=been-there": (
                "pages/_beenthere.html",
                "stages further along the journey",
            ),
            f"/members/{someone}/edit": ("pages/edit_member.html", "Edit "),
            "/organisations": ("pages/organisations.html", "<h1>Organisations"),
            f"/organisations/{organisation}": ("pages/group.html", "Download this contact map"),
            "/topics": ("pages/topics.html", "<h1>Topics"),
            # (`graphapp demo` loaded the shipped taxonomy from the wheel: its attribution shows)
            "/areas": ("pages/areas.html", "<cite>EDISON Data Science Competence Framework</cite>"),
            "/areas/import": ("pages/areas_import.html", "<h1>Import a competence taxonomy"),
            "/workstreams": ("pages/workstreams.html", "<h1>Workstreams"),
            "/workstreams/WS4": ("pages/workstream.html", "This workstream has no lead at the moment."),
            "/places": ("pages/places.html", "Countries and regions"),
            "/coverage": ("pages/coverage.html", "Where the network is thin"),
            "/coverage?as_of=2022-06-30": ("pages/_coverage_growth.html", "As it stood on"),
            "/coverage/growth": ("pages/growth.html", "How the network grew"),
            "/journey": ("pages/journey.html", "<h1>The journey: themes by stage"),
            "/themes/wheel-theme": ("pages/theme.html", "<h1>A theme from the wheel"),
            "/coverage/areas": ("pages/area_coverage.html", "Coverage by competence area and region"),
            "/explore": ("pages/explore.html", "vis-network.min.js"),
            "/me": ("pages/me.html", "<h1>My data"),
            f"/mail/preferences/{_preferences_token(someone)}": (
                "pages/mail_preferences.html",
                "Mail preferences",
            ),
            "/import": ("pages/import.html", "<h1>Import"),
            "/import/formats": ("pages/import_formats.html", "<h1>Import formats"),
            "/admin/accounts": ("auth/accounts.html", "<h1>Accounts"),
            "/admin/mail": ("pages/mail_admin.html", "<h1>Mail"),
            "/history": ("pages/history.html", "<h1>History"),
            f"/members/{someone}/history": ("pages/history_member.html", "History of "),
            "/api/export/html?kind=region&value=Europe": ("explorer/standalone.html", "vis-network"),
            "/join": ("pages/join.html", "<h1>Ask to join"),
            "/join/sent": ("pages/join_sent.html", "check your mail"),
            "/join/requests": ("pages/join_requests.html", "<h1>Requests to join"),
            "/join/domains": ("pages/join_domains.html", "<h1>Trusted email domains"),
            "/topics/manage": ("pages/vocabulary.html", "<h1>Manage topics"),
            f"/organisations/manage/{organisation}": ("pages/vocabulary_edit.html", "Merge into another"),
            "/topics/manage/record-linkage/merge?into=ethics": (
                "pages/vocabulary_merge.html",
                "move to ethics",
            ),
            f"/confirm/{_confirmation_token(someone)}": (
                "pages/confirm_profile.html",
                "Is your profile still right",
            ),
            "/members/stale": ("pages/stale_members.html", "<h1>Stale profiles"),
            "/topics/proposals": ("pages/proposals.html", "<h1>Proposed topics"),
        }
        for path, (template, text) in pages.items():
            status, page = browser.get(path)
            assert status == 200 and text in page, f"{path}: {status}\n{page[:500]}"
            rendered[template] = status
        # Projects (issue 14 §1): the admin, a member of the network, adds one; its page, the list, its
        # form and its delete page; the section on the admin's own profile.
        status, page = browser.get("/projects/new")
        assert status == 200 and "<h1>Add a project" in page
        status, page = browser.post(
            "/projects/new", title="A project from the wheel", stage="demonstration", your_role="lead"
        )
        assert status == 200 and "The journey" in page, page[:500]
        rendered["pages/project.html"] = status
        project = json.loads(browser.get("/api/projects")[1])["items"][0]["id"]
        for path, (template, text) in {
            "/projects": ("pages/projects.html", "<h1>Projects"),
            f"/projects/{project}/edit": ("pages/project_form.html", "A project from the wheel"),
            f"/projects/{project}/delete": ("pages/project_delete.html", "Delete the project"),
            f"/members/{admin_member}": ("pages/_projects.html", 'id="projects-heading"'),
        }.items():
            status, page = browser.get(path)
            assert status == 200 and text in page, f"{path}: {status}\n{page[:500]}"
            rendered[template] = status
        status, page = browser.get("/coverage")
        assert status == 200 and "manage the topics" in page
        rendered["pages/_coverage_vocabulary.html"] = status
        assert status == 200 and 'id="stale-heading"' in page
        rendered["pages/_coverage_stale.html"] = status
        assert 'id="stuck-heading"' in page
        rendered["pages/_coverage_stuck.html"] = status
        assert status == 200 and 'id="coverage-rollup"' in page
        rendered["pages/_coverage_rollup.html"] = status
        found = re.search(r'href="(/mail/preferences/[^"]+)"', browser.get("/me")[1])
        assert found, "My data links to the member's mail preferences"
        status, page = browser.get(found.group(1))
        assert status == 200 and "Always sent" in page, page[:500]
        rendered["pages/mail_preferences.html"] = status
        # Asks and introductions, as a member: post an ask, open it, ask the peer for an introduction; the
        # peer opens it; the coordinator's counts.
        member = Browser(url)
        member.get("/login")
        assert member.post("/login", login="asker@example.org", password="a long password 2")[0] == 200
        status, page = member.get("/asks")
        assert status == 200 and "<h1>Asks" in page
        rendered["pages/asks.html"] = status
        topic = re.search(r'<option value="([^"]+)"', page.split('id="topics"', 1)[1]).group(1)
        status, page = member.post("/asks", kind="technical", text="An ask from the wheel", topics=topic)
        assert status == 200 and "Best placed to help" in page, page[:500]
        rendered["pages/ask.html"] = status
        status, page = member.get(f"/introductions/new?to={peer}&kind=peer")
        assert status == 200 and "Ask to be introduced" in page
        rendered["pages/new_introduction.html"] = status
        status, page = member.post(
            "/introductions", to=peer, kind="peer", note="Hello from the wheel", ask=""
        )
        assert status == 200 and "<h1>Introductions" in page, page[:500]
        rendered["pages/introductions.html"] = status
        other = Browser(url)
        other.get("/login")
        assert other.post("/login", login="peer@example.org", password="a long password 2")[0] == 200
        waiting = re.search(r'href="/introductions/([0-9a-f]{32})"', other.get("/introductions")[1]).group(1)
        status, page = other.get(f"/introductions/{waiting}")
        assert status == 200 and "Hello from the wheel" in page
        rendered["pages/introduction.html"] = status
        status, page = browser.get("/introductions/stats")
        assert status == 200 and "how they fare" in page
        rendered["pages/introduction_stats.html"] = status

        # Shared resources (issue 14 §4): the admin (a member) shares one; its list, form, topic and member parts.
        status, page = browser.get("/resources/new?topic=record-linkage")
        assert status == 200 and "<h1>Share a resource" in page
        status, page = browser.post(
            "/resources/new",
            title="A guide from the wheel",
            url="https://example.org/wheel",
            kind="document",
            language="en",
            topics="record linkage",
            workstream="",
            description="",
        )
        assert status == 200 and 'rel="noopener noreferrer">A guide from the wheel</a>' in page, page[:500]
        rendered["pages/resources.html"] = rendered["pages/resource_item.html"] = status
        edit = re.search(r'href="(/resources/[^"/]+/edit)"', page).group(1)
        status, page = browser.get(edit)
        assert status == 200 and "<h1>Edit a resource" in page
        rendered["pages/resource_form.html"] = status
        status, page = browser.get("/topics/record-linkage")
        assert status == 200 and 'id="topic-resources-heading"' in page and "A guide from the wheel" in page
        rendered["pages/_topic_resources.html"] = status
        status, page = browser.get(f"/members/{admin_member}")
        assert status == 200 and 'id="shared-heading"' in page
        rendered["pages/_member_resources.html"] = status

        status, page = browser.get("/members/nobody-at-all")
        assert status == 404 and "Not found" in page
        rendered["pages/error.html"] = status
        status, page = browser.get("/join/confirm/not-a-token")
        assert status == 404 and "This link is not valid any more" in page
        rendered["pages/join_confirm.html"] = status
        for name in ("vis-network.min.js", "vis-network.min.css"):
            assert browser.get(f"/vendor/{name}")[0] == 200
        # The import formats' template files come from the wheel too (issue 14: graphapp/data/templates).
        for kind in (
            "members",
            "organisations",
            "topics",
            "workstreams",
            "themes",
            "projects",
            "resources",
            "taxonomy",
        ):
            status, body = browser.get(f"/import/templates/{kind}.csv")
            assert status == 200 and body.startswith(("name,", "id,", "title,")), (kind, status, body[:200])
        # An import checked first: what it would do (pages/_import_plan.html); and a survey tool's export,
        # which leads to its mapping page (issue 16).
        browser.get("/import")
        status, page = browser.upload(
            "/import",
            "members.csv",
            b"name,email,title\nWheel Person,wheel.person@example.org,Analyst\n",
            dry_run="yes",
        )
        assert status == 200 and "nothing was written" in page and "New members: Wheel Person." in page, page[
            :500
        ]
        rendered["pages/import.html"] = rendered["pages/_import_plan.html"] = status
        browser.get("/import")
        survey = (Path(__file__).resolve().parent.parent / "docs" / "examples" / "survey.csv").read_bytes()
        status, page = browser.upload("/import", "webinar.csv", survey)
        # (two of its answers map to nothing yet: the page asks what they mean, refusing to import until then)
        assert status == 400 and "Import a survey export" in page and "What answers mean" in page, page[:500]
        rendered["pages/import_mapping.html"] = status
        # The compiled catalogues came with the wheel (setup.py compiles them when it is built): the
        # chooser's French and Russian.
        for language, word in (("fr", "Langue"), ("ru", "Язык")):
            status, page = browser.post("/language", language=language, next="/members")
            assert status == 200 and f'<html lang="{language}">' in page and word in page, page[:300]
        browser.post("/language", language="en", next="/")

    # A store that does not answer (`graphapp serve` refuses to start on one, so in-process): the page that
    # says so, from the wheel too.
    def in_process(script: str) -> subprocess.CompletedProcess[str]:
        """``script`` run by the wheel's Python, which prints a page's status and text."""
        return subprocess.run(
            [str(bin_dir / "python"), "-c", script],
            capture_output=True,
            text=True,
            env=env,
            cwd=run,
            timeout=120,
        )

    down = in_process(
        "from graphapp import create_app\n"
        "app = create_app({'NEO4J_URI': 'bolt://127.0.0.1:9', 'NEO4J_RETRY_SECONDS': 1, 'GRAPHAPP_PUBLIC': '1'})\n"
        "r = app.test_client().get('/')\n"
        "print(r.status_code, r.get_data(as_text=True))"
    )
    assert down.stdout.startswith("503 ") and "The database is unavailable" in down.stdout, down.stderr
    rendered["pages/unavailable.html"] = 503
    # A transaction too large for the database's memory (a store that says so, in-process): its own page.
    full = in_process(
        "from graphapp import create_app\n"
        "from graphapp.db import KEY, READY\n"
        "from graphapp.store import TransactionTooLarge\n"
        "class Full:\n"
        "    def read(self, *a, **k): raise TransactionTooLarge('no memory for this')\n"
        "    write = bookkeep = read\n"
        "app = create_app({'GRAPHAPP_PUBLIC': '1'})\n"
        "app.extensions[KEY], app.extensions[READY] = Full(), True\n"
        "r = app.test_client().get('/members')\n"
        "print(r.status_code, r.get_data(as_text=True))"
    )
    assert full.stdout.startswith("503 ") and "Too much for the database at once" in full.stdout, full.stderr
    rendered["pages/too_large.html"] = 503

    assert set(rendered) == _templates(wheel) - INCLUDED, (
        "a template this test does not open (or no longer exists)"
    )


def _preferences_token(member: str) -> str:
    """The token in a mail's preferences link, as a server with the default (development) secret key
    signs it."""
    from itsdangerous import URLSafeSerializer

    from graphapp.settings import DEFAULT_SECRET_KEY

    return URLSafeSerializer(DEFAULT_SECRET_KEY, salt="graphapp mail preferences").dumps(member)


def _confirmation_token(member: str) -> str:
    """The token in a reminder's link, as a server with the default (development) secret key signs it."""
    from itsdangerous import URLSafeTimedSerializer

    from graphapp.settings import DEFAULT_SECRET_KEY

    return URLSafeTimedSerializer(DEFAULT_SECRET_KEY, salt="graphapp profile confirmation").dumps(member)
