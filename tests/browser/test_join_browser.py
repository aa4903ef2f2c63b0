"""Asking to join, in a real browser, on both stores, with a real mail server: a visitor fills in the form,
confirms their address from the mail they got, a coordinator approves the request, and the newcomer follows
the invitation in the next mail, chooses a password and lands signed in.

:func:`ask_to_join_and_be_let_in` is the path as a function, so that a longer story (finding a peer, asking
for an introduction) can go on from where it ends. Set GRAPHAPP_SCREENSHOTS=DIR to keep a screenshot of
every page of the path.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select

from devtools.chromium import ChromiumMissing, start_chromium
from tests.browser.test_browser import _axe, _wait
from tests.processes import _clean_env, graphapp, serving

pytestmark = pytest.mark.browser
COORDINATOR = "coordinator@example.org"
ADMIN = "admin@example.org"
PASSWORD = "a long enough passphrase"


@dataclass(frozen=True)
class Joined:
    """Who came in: their member id, name, login and password; the browser is signed in as them."""

    member: str
    name: str
    login: str
    password: str


class Mailbox:
    """The mails the site sent, as they reached the real SMTP server on loopback. ``deliver`` is called
    before waiting for each (by default nothing: the site's own worker delivers)."""

    def __init__(self, server: Any, deliver: Callable[[], object] = lambda: None) -> None:
        self.server = server
        self.deliver = deliver
        self.read: dict[str, int] = {}  # how many mails to each address were read

    def next_link(self, to: str, path: str) -> str:
        """Deliver what is queued, wait for the next mail to ``to`` (others, such as the experts told of
        a newcomer's ask, pass by), and return its link to ``path`` (the plain-text part's)."""
        self.deliver()
        deadline = time.monotonic() + 30
        while len(self.server.to(to)) <= self.read.get(to, 0):
            assert time.monotonic() < deadline, f"no new mail to {to} in 30 s"
            time.sleep(0.1)
        message = self.server.to(to)[self.read.get(to, 0)]
        self.read[to] = self.read.get(to, 0) + 1
        text = message.get_body(preferencelist=("plain",)).get_content()
        for url in re.findall(r"https?://\S+", text):
            if urlsplit(url).path.startswith(path):
                return str(url)
        raise AssertionError(f"no link to {path} in the mail:\n{text}")


def _screenshot(browser: webdriver.Chrome, name: str) -> None:
    """The whole page (not only the window's part of it) in GRAPHAPP_SCREENSHOTS, if set."""
    folder = os.environ.get("GRAPHAPP_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        size = browser.get_window_size()
        height = browser.execute_script("return document.documentElement.scrollHeight;")
        browser.set_window_size(size["width"], max(size["height"], min(int(height) + 120, 6000)))
        browser.save_screenshot(str(Path(folder) / f"{name}.png"))
        browser.set_window_size(size["width"], size["height"])


def _heading(browser: webdriver.Chrome) -> str:
    return str(browser.find_element(By.TAG_NAME, "h1").text)


def sign_in(browser: webdriver.Chrome, site: str, login: str, password: str) -> None:
    browser.delete_all_cookies()
    browser.get(site + "/login")
    browser.find_element(By.ID, "login").send_keys(login)
    browser.find_element(By.ID, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "form.stacked button[type=submit]").click()
    _wait(browser, lambda b: "/login" not in b.current_url)


def ask_to_join_and_be_let_in(
    browser: webdriver.Chrome,
    site: str,
    mailbox: Mailbox,
    coordinator: tuple[str, str],
    name: str = "Ana Joiner",
    email: str = "ana.joiner@stat.example.org",
    shots: str = "join",
) -> Joined:
    """The whole path of a newcomer: the form, the confirmation mail, a coordinator's approval, the
    invitation mail, a password; returns who they are, with the browser signed in as them."""
    browser.delete_all_cookies()
    browser.get(site + "/login")
    browser.find_element(By.LINK_TEXT, "Ask to join the network").click()
    _wait(browser, ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Ask to join"))
    browser.find_element(By.ID, "name").send_keys(name)
    browser.find_element(By.ID, "email").send_keys(email)
    Select(browser.find_element(By.ID, "organisation")).select_by_value("ons")
    browser.find_element(By.ID, "country").send_keys("Netherlands")
    browser.find_element(By.ID, "title").send_keys("Head of data science")
    # The topic filter narrows the list as one types.
    every = len(browser.find_elements(By.CSS_SELECTOR, "ul.topic-picker li"))
    browser.find_element(By.ID, "topic-filter").send_keys("record link")
    shown = [li for li in browser.find_elements(By.CSS_SELECTOR, "ul.topic-picker li") if li.is_displayed()]
    assert 0 < len(shown) < every, (len(shown), every)
    browser.find_element(By.ID, "topic-record-linkage").click()
    Select(browser.find_element(By.NAME, "level-record-linkage")).select_by_visible_text("expert")
    browser.find_element(By.ID, "topic-filter").clear()
    browser.find_element(By.ID, "topic-filter").send_keys("deep learn")
    browser.find_element(By.ID, "topic-deep-learning").click()
    assert browser.find_element(
        By.ID, "topic-record-linkage"
    ).is_displayed()  # (what is ticked stays in view)
    browser.find_element(By.ID, "ws-WS2").click()
    Select(browser.find_element(By.ID, "issue_kind")).select_by_visible_text("technical")
    browser.find_element(By.ID, "issue_text").send_keys("How do others link census and tax records?")
    Select(browser.find_element(By.ID, "issue_topics")).select_by_value("record-linkage")
    _screenshot(browser, f"{shots}-1-form")
    assert _axe(browser) == []
    browser.find_element(By.XPATH, "//button[normalize-space()='Send my request']").click()
    _wait(browser, ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "check your mail"))
    _screenshot(browser, f"{shots}-2-check-your-mail")

    browser.get(mailbox.next_link(email, "/join/confirm/"))
    assert "your address is confirmed" in _heading(browser)
    assert "waits for a coordinator" in browser.find_element(By.TAG_NAME, "main").text
    _screenshot(browser, f"{shots}-3-confirmed")

    sign_in(browser, site, *coordinator)
    browser.get(site + "/join/requests")
    request = browser.find_element(By.XPATH, f"//article[h2[normalize-space()='{name}']]")
    for shown_text in (email, "Office for National Statistics", "Record linkage", "expert", "technical"):
        assert shown_text.lower() in request.text.lower(), shown_text
    _screenshot(browser, f"{shots}-4-queue")
    assert _axe(browser) == []
    request.find_element(By.XPATH, f".//button[normalize-space()='Approve {name}']").click()
    _wait(browser, ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), name))
    member = urlsplit(browser.current_url).path.rsplit("/", 1)[1]
    assert "record linkage" in browser.find_element(By.TAG_NAME, "main").text.lower()
    _screenshot(browser, f"{shots}-5-approved")

    browser.delete_all_cookies()
    browser.get(mailbox.next_link(email, "/invite/"))
    assert _heading(browser) == "Create your account"
    assert browser.find_element(By.ID, "login").get_attribute("value") == email  # (offered; kept)
    browser.find_element(By.ID, "login").clear()
    browser.find_element(By.ID, "login").send_keys(email)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "again").send_keys(PASSWORD)
    _screenshot(browser, f"{shots}-6-invitation")
    browser.find_element(By.XPATH, "//button[normalize-space()='Create the account']").click()
    _wait(browser, lambda b: "/invite/" not in b.current_url)
    assert f"{email} (member)" in browser.find_element(By.CSS_SELECTOR, ".signed-in").text
    _screenshot(browser, f"{shots}-7-signed-in")
    browser.get(site + "/me")
    assert name in browser.find_element(By.TAG_NAME, "main").text
    return Joined(member, name, email, PASSWORD)


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    try:
        driver = start_chromium(tmp_path_factory.mktemp("downloads"))
    except ChromiumMissing as e:  # a failure, not a skip
        pytest.fail(str(e))
    try:
        yield driver
    finally:
        driver.quit()


@dataclass
class Site:
    url: str
    mailbox: Mailbox
    env: dict[str, str]


@pytest.fixture
def join_site(store_config: dict[str, str], smtp_server: Any, tmp_path: Path) -> Iterator[Site]:
    """`graphapp serve` with the demo on this test's store (the embedded file or the session's Neo4j),
    sending its mail to the SMTP server on loopback; a coordinator's and an admin's accounts."""
    env = {
        **_clean_env(),
        **store_config,
        **{k: str(v) for k, v in smtp_server.config.items()},
        "GRAPHAPP_MAIL_INTERVAL": "0.5",  # (the server's own mail worker, often, for a quick test)
    }
    for args, stdin in (
        (("demo",), None),
        (("account", "create", COORDINATOR, "--role", "coordinator", "--password-stdin"), PASSWORD + "\n"),
        (("account", "create", ADMIN, "--role", "admin", "--password-stdin"), PASSWORD + "\n"),
    ):
        done = graphapp(env, *args, stdin=stdin)
        assert done.returncode == 0, done.stderr
    with serving(env, tmp_path / "serve.log") as url:
        yield Site(url.rstrip("/"), Mailbox(smtp_server), env)


def test_ask_to_join_confirm_be_approved_and_sign_in(chromium: webdriver.Chrome, join_site: Site) -> None:
    joined = ask_to_join_and_be_let_in(chromium, join_site.url, join_site.mailbox, (COORDINATOR, PASSWORD))
    assert joined.member.startswith("m-")
    problems = [e["message"] for e in chromium.get_log("browser") if e["level"] == "SEVERE"]
    assert not problems, problems


@pytest.mark.parametrize("backend", ["ladybug"])  # (pages only: the path above runs on both stores)
def test_the_other_join_pages_read_well(chromium: webdriver.Chrome, join_site: Site) -> None:
    """The form sent with problems (each named, what was typed kept), a link that is not valid, and the
    admins' trusted domains: each passes axe-core's WCAG 2 AA checks."""
    browser, site = chromium, join_site.url
    browser.delete_all_cookies()
    browser.get(site + "/join")
    browser.find_element(By.ID, "name").send_keys("Ana <Joiner>")
    browser.find_element(By.ID, "email").send_keys("ana@nowhere")
    browser.find_element(By.ID, "country").send_keys("Atlantis")
    browser.execute_script("document.querySelector('form.join').noValidate = true;")  # (the server's checks)
    browser.find_element(By.XPATH, "//button[normalize-space()='Send my request']").click()
    _wait(browser, ec.text_to_be_present_in_element((By.TAG_NAME, "h2"), "Not sent yet"))
    problems = browser.find_element(By.CSS_SELECTOR, "section.problem").text
    for field in ("Email", "Organisation", "Country", "Topics"):
        assert f"{field} " in problems, field
    assert browser.find_element(By.ID, "name").get_attribute("value") == "Ana <Joiner>"
    _screenshot(browser, "join-8-problems")
    assert _axe(browser) == []

    # On a phone the form fits the screen (a long organisation name once widened it to 562 px at 390).
    size = browser.get_window_size()
    browser.set_window_size(390, 900)
    try:
        browser.get(site + "/join")
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    finally:
        browser.set_window_size(size["width"], size["height"])

    browser.get(site + "/join/confirm/not-a-token")
    assert "not valid" in _heading(browser)
    _screenshot(browser, "join-9-link-not-valid")
    assert _axe(browser) == []

    sign_in(browser, site, ADMIN, PASSWORD)
    browser.get(site + "/join/domains")
    browser.find_element(By.ID, "domain").send_keys("stat.example.org")
    browser.find_element(By.XPATH, "//button[normalize-space()='Trust this domain']").click()
    _wait(browser, ec.text_to_be_present_in_element((By.TAG_NAME, "table"), "stat.example.org"))
    _screenshot(browser, "join-10-trusted-domains")
    assert _axe(browser) == []


def test_the_whole_story_join_be_introduced_to_a_peer_and_both_see_each_other(
    chromium: webdriver.Chrome, join_site: Site, smtp_server: Any
) -> None:
    """Section 7 of issue 12 in one go, on both stores: a newcomer asks to join, confirms from the mail, a
    coordinator approves, the invitation mail arrives, they sign in, find a suggested peer, ask for an
    introduction; the peer accepts from the mailed link; both see each other's email, and the contact is
    on both profiles."""
    from tests.browser.test_introduction_flow import hide_my_email, introduce_from_suggestion

    browser, site = chromium, join_site.url
    joined = ask_to_join_and_be_let_in(
        browser, site, join_site.mailbox, (COORDINATOR, PASSWORD), shots="story"
    )
    # Who graphapp suggests to the newcomer first (the flow below takes the same one from the profile).
    browser.get(f"{site}/members/{joined.member}")
    first = browser.find_elements(By.CSS_SELECTOR, "ol.suggestions > li")[0].find_element(
        By.CSS_SELECTOR, "h3 a"
    )
    peer = urlsplit(first.get_attribute("href") or "").path.rsplit("/", 1)[1]
    # The peer gets an account from an administrator's invitation (shown once, on the accounts page).
    sign_in(browser, site, ADMIN, PASSWORD)
    browser.get(site + "/admin/accounts")
    browser.find_element(By.ID, "invite-member").send_keys(peer)
    browser.find_element(By.XPATH, "//button[normalize-space()='Create an invitation link']").click()
    # (the invitation is shown on the page the form's answer brings: wait for it, not for the old page)
    _wait(browser, ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".notice"), "/invite/"))
    link = re.search(r"https?://\S+/invite/\S+", browser.find_element(By.CSS_SELECTOR, ".notice").text)
    assert link is not None
    browser.delete_all_cookies()
    browser.get(link.group(0))
    peer_login = browser.find_element(By.ID, "login").get_attribute("value") or ""
    assert peer_login.endswith("@example.org")  # (the member's own address, offered as the login)
    for field in ("password", "again"):
        browser.find_element(By.ID, field).send_keys(PASSWORD)
    browser.find_element(By.XPATH, "//button[normalize-space()='Create the account']").click()
    _wait(browser, lambda b: "/invite/" not in b.current_url)
    hide_my_email(browser, site)  # (both hide their email from everyone: the introduction is what shows it)

    def introduction_mails() -> list[Any]:
        return [m for m in smtp_server.messages if "introduc" in str(m["Subject"]).lower()]

    answered = [len(introduction_mails())]

    def deliver() -> list[Any]:
        """Every message so far, once one more about an introduction has arrived (the site's own worker
        sends them; the experts' mails about the newcomer's ask come and go meanwhile)."""
        deadline = time.monotonic() + 30
        while len(introduction_mails()) <= answered[0]:
            assert time.monotonic() < deadline, "no new mail about an introduction in 30 s"
            time.sleep(0.1)
        answered[0] += 1
        return list(smtp_server.messages)

    sign_in(browser, site, joined.login, joined.password)
    hide_my_email(browser, site)
    seen = introduce_from_suggestion(browser, lambda: site, deliver, peer_login, PASSWORD)
    assert seen["peer_url"] == f"/members/{peer}" and seen["me_email"] == joined.login

    # The newcomer: the answer's mail; the peer's email and the contact on the peer's profile and their own.
    (answer,) = [m for m in deliver() if "accepted your introduction" in str(m["Subject"])]
    assert str(answer["To"]) == joined.login
    sign_in(browser, site, joined.login, joined.password)
    browser.get(site + seen["peer_url"])
    assert seen["peer_email"] in browser.find_element(By.CSS_SELECTOR, "dl.facts").text
    contacts = "section[aria-labelledby='contacts-heading'] a"
    assert joined.name in [a.text for a in browser.find_elements(By.CSS_SELECTOR, contacts)]
    _screenshot(browser, "story-8-peer-seen-by-newcomer")
    browser.get(f"{site}/members/{joined.member}")
    assert seen["peer_name"] in [a.text for a in browser.find_elements(By.CSS_SELECTOR, contacts)]
    _screenshot(browser, "story-9-newcomer-profile-with-contact")


def _choose_language(browser: webdriver.Chrome, language: str) -> None:
    """Pick ``language`` in the header's chooser, as a person does, and wait for the page in it."""
    Select(browser.find_element(By.ID, "language-choice")).select_by_value(language)
    browser.find_element(By.CSS_SELECTOR, "form.language button[type=submit]").click()
    _wait(browser, lambda b: b.find_element(By.TAG_NAME, "html").get_attribute("lang") == language)


@pytest.mark.parametrize("backend", ["ladybug"])  # (pages and mail only: the path above runs on both stores)
def test_the_join_form_in_french_and_its_mail_in_french(chromium: webdriver.Chrome, join_site: Site) -> None:
    """A visitor who reads French: the form, its problems, the country typed in French, the "check your
    mail" page, the confirmation mail and the page its link opens are all in French; each page passes
    axe-core's checks and fits a phone's width."""
    browser, site, email = chromium, join_site.url, "claire.dubois@stat.example.org"
    browser.delete_all_cookies()
    browser.get(site + "/join")
    _choose_language(browser, "fr")
    assert _heading(browser) == "Demander à rejoindre le réseau"
    # Sent with problems: each named in French, what was typed kept.
    browser.find_element(By.ID, "name").send_keys("Claire Dubois")
    browser.find_element(By.ID, "email").send_keys("claire@nulle-part")
    browser.execute_script("document.querySelector('form.join').noValidate = true;")  # (the server's checks)
    browser.find_element(By.XPATH, "//button[normalize-space()='Envoyer ma demande']").click()
    _wait(browser, ec.text_to_be_present_in_element((By.ID, "problems-heading"), "Pas encore envoyée"))
    problems = browser.find_element(By.CSS_SELECTOR, "section.problem").text
    assert "Courriel — ce n’est pas une adresse électronique" in problems, problems
    assert "Pays — vide : indiquez le pays où vous travaillez." in problems, problems
    assert browser.find_element(By.ID, "name").get_attribute("value") == "Claire Dubois"
    _screenshot(browser, "join-fr-1-problems")
    assert _axe(browser) == []
    # Filled in properly: the country by its French name, from the form's own list.
    browser.find_element(By.ID, "email").clear()
    browser.find_element(By.ID, "email").send_keys(email)
    Select(browser.find_element(By.ID, "organisation")).select_by_value("ons")
    options = [
        o.get_attribute("value") for o in browser.find_elements(By.CSS_SELECTOR, "#country-names option")
    ]
    assert "Pays-Bas" in options and "Suisse" in options
    assert (
        options.index("Allemagne") < options.index("Suisse") < options.index("Zimbabwe")
    )  # (by French name)
    browser.find_element(By.ID, "country").send_keys("Pays-Bas")
    browser.find_element(By.ID, "topic-record-linkage").click()
    level = Select(browser.find_element(By.NAME, "level-record-linkage"))
    level.select_by_value("expert")
    assert {o.get_attribute("value") for o in level.options} == {"learning", "practising", "expert"}
    browser.find_element(By.XPATH, "//button[normalize-space()='Envoyer ma demande']").click()
    _wait(browser, ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "consultez maintenant"))
    _screenshot(browser, "join-fr-2-check-your-mail")
    assert _axe(browser) == []
    size = browser.get_window_size()
    browser.set_window_size(390, 900)
    try:
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
        browser.get(site + "/join")
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
        _screenshot(browser, "join-fr-3-form-phone")
    finally:
        browser.set_window_size(size["width"], size["height"])

    # The mail is in French (it takes the language of the page the request was made on).
    confirm = join_site.mailbox.next_link(email, "/join/confirm/")
    (message,) = join_site.mailbox.server.to(email)
    assert str(message["Subject"]) == "Confirmez votre demande d’adhésion à graphapp"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert text.startswith("Bonjour Claire Dubois,") and "Vous recevez ce courriel" in text
    browser.get(confirm)
    assert _heading(browser) == "Merci : votre adresse est confirmée"
    _screenshot(browser, "join-fr-4-confirmed")
    assert _axe(browser) == []
