"""An introduction in a real browser, on both stores, with a real SMTP server on loopback: a signed-in
member finds a suggested peer on their profile, asks to be introduced with a note; the peer (who has an
account) follows the link in the mail the SMTP server received, accepts; both then see each other's email
(though both hide it from strangers) and the contact is on both profiles.

:func:`introduce_from_suggestion` is the flow itself, written to be chained after the join flow: it takes
a browser signed in as the member and the means to deliver the queued mail.

The mail is delivered by the server's own worker (every half second here: ``GRAPHAPP_MAIL_INTERVAL``).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec

from devtools.chromium import ChromiumMissing, start_chromium
from graphapp.store import Neo4jStore
from tests.browser.test_browser import _axe, _screenshot, _wait
from tests.processes import _clean_env, graphapp, serving
from tests.smtp import SmtpServer, links_in

pytestmark = pytest.mark.browser
PASSWORD = "a long enough passphrase"
NOTE = "We both work on record linkage; could we compare how we block candidate pairs?"


class Site:
    """`graphapp serve` on one store, with the SMTP settings of the test's server."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env, self.folder, self.url = env, folder, ""
        self._running = contextlib.ExitStack()

    def start(self) -> None:
        self.url = self._running.enter_context(serving(self.env, self.folder / "serve.log")).rstrip("/")

    def stop(self) -> None:
        self._running.close()


@pytest.fixture(params=["ladybug", "neo4j"])
def site(request: pytest.FixtureRequest, tmp_path: Path, smtp_server: SmtpServer) -> Iterator[Site]:
    """The demo network on a fresh store of each kind, two members with accounts (one, and the first peer
    suggested to them), served."""
    env = {
        **_clean_env(),
        **smtp_server.config,
        "GRAPHAPP_SECRET_KEY": "x" * 40,
        "GRAPHAPP_MAIL_INTERVAL": "0.5",
    }
    if request.param == "neo4j":
        from tests.conftest import _wipe

        config: dict[str, str] = request.getfixturevalue("neo4j_config")
        env.update(config)
        with Neo4jStore(config["NEO4J_URI"], config.get("NEO4J_USER"), config.get("NEO4J_PASSWORD")) as store:
            _wipe(store)
    else:
        env["GRAPHAPP_DB"] = str(tmp_path / "demo.lbug")
    for args in (("demo",),):
        done = graphapp(env, *args)
        assert done.returncode == 0, done.stderr
    suggested = json.loads(graphapp(env, "suggest", "timo.okafor@example.org", "--json").stdout)
    people = {"member": suggested["member"], "peer": suggested["suggestions"][0]["id"]}
    coordinator = graphapp(
        env,
        "account",
        "create",
        "co@example.org",
        "--role",
        "coordinator",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert coordinator.returncode == 0, coordinator.stderr
    for login, member in (("timo@example.org", people["member"]), ("peer@example.org", people["peer"])):
        made = graphapp(
            env, "account", "create", login, "--member", member, "--password-stdin", stdin=PASSWORD + "\n"
        )
        assert made.returncode == 0, made.stderr
    running = Site(env, tmp_path)
    running.people = people  # type: ignore[attr-defined]
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    try:
        driver = start_chromium(tmp_path)
    except ChromiumMissing as e:
        pytest.fail(str(e))
    try:
        yield driver
    finally:
        driver.quit()


def sign_in(browser: webdriver.Chrome, site_url: str, login: str, password: str = PASSWORD) -> None:
    browser.get(site_url + "/login")
    browser.find_element(By.ID, "login").send_keys(login)
    browser.find_element(By.ID, "password").send_keys(password, Keys.ENTER)
    _wait(browser, lambda d: "/login" not in d.current_url)


def sign_out(browser: webdriver.Chrome) -> None:
    browser.find_element(By.CSS_SELECTOR, "form.signed-in button").click()
    _wait(browser, ec.url_contains("/login"))


def hide_my_email(browser: webdriver.Chrome, site_url: str) -> None:
    """On My data: nobody may see my email."""
    browser.get(site_url + "/me")
    browser.find_element(By.CSS_SELECTOR, "#email_visibility option[value='nobody']").click()
    browser.find_element(By.CSS_SELECTOR, "form.stacked button[type='submit']").click()
    _wait(browser, ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".notice"), "saved"))


def _path(url: str) -> str:
    return urlsplit(url).path


def introduce_from_suggestion(
    browser: webdriver.Chrome,
    site: Callable[[], str],
    deliver: Callable[[], list[EmailMessage]],
    peer_login: str,
    peer_password: str,
    note: str = NOTE,
) -> dict[str, Any]:
    """The flow, from a browser signed in as a member (their account tied to them): their profile, the
    first suggested peer, "Ask to be introduced" with ``note``; the mail the peer gets; signed out, the
    peer follows its link and accepts; the peer signs in (``peer_login``, ``peer_password``), sees the
    member's email and the contact on the member's profile, and signs out. ``site()`` gives the site's
    address; ``deliver()`` waits for the next mail and returns every message the SMTP server has received.
    The member's side (the answer's mail, the peer's email on the peer's profile) is the caller's to check.
    Returns what it saw (names, emails, the link)."""
    browser.get(site() + "/me")
    profile_link = browser.find_element(By.CSS_SELECTOR, "main p a[href^='/members/']")
    me_name = profile_link.text
    profile_link.click()
    _wait(browser, ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), me_name))
    me_url = _path(browser.current_url)
    first = browser.find_elements(By.CSS_SELECTOR, "ol.suggestions > li")[0]
    peer_name = first.find_element(By.CSS_SELECTOR, "h3 a").text
    peer_url = _path(first.find_element(By.CSS_SELECTOR, "h3 a").get_attribute("href") or "")
    _screenshot(browser, "intro-1-profile-with-suggestions")
    first.find_element(By.CSS_SELECTOR, "a.introduce").click()
    _wait(
        browser, ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), f"Ask to be introduced to {peer_name}")
    )
    assert _axe(browser) == []
    browser.find_element(By.ID, "note").send_keys(note)
    _screenshot(browser, "intro-2-new-introduction")
    browser.find_element(By.CSS_SELECTOR, "form.stacked button[type='submit']").click()
    _wait(
        browser, ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".notice"), f"on its way to {peer_name}")
    )
    _screenshot(browser, "intro-3-my-introductions")
    assert _axe(browser) == []
    me_email = None
    sign_out(browser)

    messages = deliver()
    (request_mail,) = [m for m in messages if "asks to be introduced to you" in str(m["Subject"])]
    peer_email = str(request_mail["To"])
    body = request_mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert note not in body  # (the note is read on the page the link opens, never in a mail)
    link = next(u for u in links_in(request_mail) if "/introductions/answer/" in u)
    browser.get(site() + _path(link))  # (signed out: the link is the key)
    _wait(browser, ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "asks to be introduced to you"))
    assert note in browser.find_element(By.CSS_SELECTOR, "dd.note").text
    _screenshot(browser, "intro-4-answer-from-the-mail")
    assert _axe(browser) == []
    browser.find_element(By.CSS_SELECTOR, "button[value='accept']").click()
    _wait(browser, ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".notice"), "You accepted"))
    me_email = browser.find_element(By.CSS_SELECTOR, "dd.email").text
    _screenshot(browser, "intro-5-accepted")

    sign_in(browser, site(), peer_login, peer_password)
    browser.get(site() + me_url)
    assert me_email in browser.find_element(By.CSS_SELECTOR, "dl.facts").text  # the member's email
    contacts = [
        a.text
        for a in browser.find_elements(By.CSS_SELECTOR, "section[aria-labelledby='contacts-heading'] a")
    ]
    assert peer_name in contacts
    _screenshot(browser, "intro-6-member-seen-by-peer")
    browser.get(site() + "/introductions")
    _screenshot(browser, "intro-7-peer-introductions")
    assert _axe(browser) == []
    sign_out(browser)
    return {
        "me_name": me_name,
        "me_url": me_url,
        "me_email": me_email,
        "peer_name": peer_name,
        "peer_url": peer_url,
        "peer_email": peer_email,
        "messages": messages,
    }


def test_a_member_is_introduced_to_a_suggested_peer_from_the_mailed_link(
    browser: webdriver.Chrome, site: Site, smtp_server: SmtpServer
) -> None:
    # Both hide their email from everyone first: the introduction is what shows it.
    for login in ("peer@example.org", "timo@example.org"):
        sign_in(browser, site.url, login)
        hide_my_email(browser, site.url)
        if login == "peer@example.org":
            sign_out(browser)

    def deliver() -> list[EmailMessage]:
        """The messages, once one more has arrived than when last asked (the server's worker sends them)."""
        seen = len(delivered)
        delivered[:] = smtp_server.wait_for(seen + 1)
        return list(delivered)

    delivered: list[EmailMessage] = []

    seen = introduce_from_suggestion(browser, lambda: site.url, deliver, "peer@example.org", PASSWORD)
    assert seen["peer_url"] == f"/members/{site.people['peer']}"  # type: ignore[attr-defined]

    # The member: told by mail, and sees the peer's email and the contact on the peer's profile.
    messages = deliver()
    (answer,) = [m for m in messages if "accepted your introduction" in str(m["Subject"])]
    assert str(answer["To"]) == "timo.okafor@example.org"
    sign_in(browser, site.url, "timo@example.org")
    browser.get(site.url + seen["peer_url"])
    facts = browser.find_element(By.CSS_SELECTOR, "dl.facts").text
    assert seen["peer_email"] in facts
    contacts = [
        a.text
        for a in browser.find_elements(By.CSS_SELECTOR, "section[aria-labelledby='contacts-heading'] a")
    ]
    assert seen["me_name"] in contacts
    assert "You were introduced" in browser.find_element(By.TAG_NAME, "main").text
    _screenshot(browser, "intro-8-peer-seen-by-member")

    # An ask: posted, shown with who can help, on its topic's page; the peer offers; the asker closes it.
    browser.get(site.url + "/asks")
    browser.find_element(By.CSS_SELECTOR, "#kind option[value='strategic']").click()
    browser.find_element(By.ID, "text").send_keys("How do you get a board to fund satellite imagery work?")
    browser.find_element(By.CSS_SELECTOR, "#topics option[value='imagery-and-satellite-data']").click()
    _screenshot(browser, "asks-1-new")
    assert _axe(browser) == []
    browser.find_element(By.CSS_SELECTOR, "form.stacked button[type='submit']").click()
    _wait(browser, ec.text_to_be_present_in_element((By.ID, "helpers-heading"), "Best placed to help"))
    ask_url = _path(browser.current_url)
    helpers = browser.find_elements(By.CSS_SELECTOR, "ol.suggestions > li")
    assert helpers and helpers[0].find_elements(By.CSS_SELECTOR, "ul.reasons li")
    _screenshot(browser, "asks-2-ask-with-helpers")
    assert _axe(browser) == []
    browser.get(site.url + "/topics/imagery-and-satellite-data")
    assert (
        "fund satellite imagery"
        in browser.find_element(By.ID, "asks-heading").find_element(By.XPATH, "..").text
    )
    _screenshot(browser, "asks-3-topic-page")
    sign_out(browser)
    sign_in(browser, site.url, "peer@example.org")
    browser.get(site.url + ask_url)
    browser.find_element(By.ID, "note").send_keys("We made that case in 2024; happy to share the slides.")
    browser.find_element(By.CSS_SELECTOR, "form.stacked button[type='submit']").click()
    _wait(browser, ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".notice"), "Your offer is sent"))
    _screenshot(browser, "asks-4-offered")
    sign_out(browser)
    sign_in(browser, site.url, "timo@example.org")
    browser.get(site.url + ask_url)
    assert "happy to share the slides" in browser.find_element(By.CSS_SELECTOR, "ul.offers").text
    browser.get(site.url + "/")  # the home page's part: my open asks
    assert (
        "fund satellite imagery"
        in browser.find_element(By.ID, "home-asks-heading").find_element(By.XPATH, "..").text
    )
    _screenshot(browser, "asks-6-home")
    assert _axe(browser) == []
    browser.get(site.url + ask_url)
    _screenshot(browser, "asks-5-offer-seen-by-asker")
    browser.find_element(By.CSS_SELECTOR, "#outcome option[value='resolved']").click()
    browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby='close-heading'] button").click()
    _wait(browser, lambda d: "resolved" in d.find_element(By.CSS_SELECTOR, ".kicker").text.lower())
    sign_out(browser)
    # A coordinator's counts.
    sign_in(browser, site.url, "co@example.org")
    browser.get(site.url + "/introductions/stats")
    assert NOTE not in browser.page_source
    _screenshot(browser, "intro-9-coordinator-counts")
    assert _axe(browser) == []
