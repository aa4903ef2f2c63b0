"""Shared resources in a real browser (issue 14 §4): a member shares resources with the form, then the
resources page, the form and a topic's page read well at 1400 and at 390 px: a topic's resources beside its
people on a wide screen, above them on a phone, and nothing wider than a phone's screen (the member table
scrolls inside its own column). Set GRAPHAPP_SCREENSHOTS=DIR to keep the screenshots."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from devtools.chromium import ChromiumMissing, start_chromium
from tests.browser.test_browser import _axe, _wait
from tests.processes import _clean_env, graphapp, serving

pytestmark = pytest.mark.browser
PASSWORD = "a long enough passphrase"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """`graphapp serve` with the demo on an embedded file, and a member's account: (url, member id)."""
    env = {**_clean_env(), "GRAPHAPP_DB": str(tmp_path / "graph.lbug")}
    assert graphapp(env, "demo").returncode == 0
    done = graphapp(env, "suggest", "timo.okafor@example.org", "--json")
    member = json.loads(done.stdout)["member"]
    made = graphapp(
        env,
        "account",
        "create",
        "timo@example.org",
        "--member",
        member,
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert made.returncode == 0, made.stderr
    with serving(env, tmp_path / "serve.log") as url:
        yield url.rstrip("/"), member


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    try:
        driver = start_chromium(tmp_path / "downloads")
    except ChromiumMissing as e:  # a failure, not a skip
        pytest.fail(str(e))
    try:
        yield driver
    finally:
        driver.quit()


def _shot(browser: webdriver.Chrome, name: str) -> None:
    folder = os.environ.get("GRAPHAPP_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(Path(folder) / f"{name}.png"))


def _share(browser: webdriver.Chrome, site: str, title: str, link: str, kind: str, topics: str) -> None:
    browser.get(site + "/resources/new")
    browser.find_element(By.ID, "title").send_keys(title)
    browser.find_element(By.ID, "url").send_keys(link)
    Select(browser.find_element(By.ID, "kind")).select_by_value(kind)
    Select(browser.find_element(By.ID, "language")).select_by_value("fr")
    browser.find_element(By.ID, "topics").send_keys(topics)
    browser.find_element(By.XPATH, "//button[normalize-space()='Share it']").click()
    # (the click returns before the answer's page has come: wait for it, as a person would)
    _wait(browser, lambda b: b.current_url.startswith(site + "/resources#resource-"))


def test_resources_read_well_on_a_wide_screen_and_a_phone(chromium, site) -> None:  # type: ignore[no-untyped-def]
    url, member = site
    browser = chromium
    browser.set_window_size(1400, 1000)
    browser.get(url + "/login")
    browser.find_element(By.NAME, "login").send_keys("timo@example.org")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.NAME, "password").submit()
    _wait(browser, lambda b: "/login" not in b.current_url)  # (signed in before going on)
    _share(
        browser,
        url,
        "Guide du couplage d'enregistrements",
        "https://example.org/guide",
        "document",
        "record linkage",
    )
    _share(browser, url, "Linkage code", "https://example.org/code", "code", "record linkage; ethics")

    browser.get(url + "/topics/record-linkage")
    resources = browser.find_element(By.ID, "topic-resources-heading").rect
    people = browser.find_element(By.XPATH, "//h2[normalize-space()='Who is there']").rect
    assert resources["x"] < people["x"] and abs(resources["y"] - people["y"]) < 5  # side by side
    assert "Guide du couplage" in browser.find_element(By.CLASS_NAME, "topic-resources").text
    _shot(browser, "library-topic-1400")

    browser.set_window_size(390, 900)
    for path in ("/resources", "/resources/new"):
        browser.get(url + path)
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
        _shot(browser, "library" + path.replace("/", "-") + "-390")
    # (a topic's and a member's page: the parts shown here fit; the tables below them, "Topics held" and the
    # suggestions' shared topics, are those pages' own, as before)
    for path, part in (("/topics/record-linkage", ".side-by-side"), (f"/members/{member}", "ul.resources")):
        browser.get(url + path)
        right = browser.execute_script(
            f"return document.querySelector('{part}').getBoundingClientRect().right"
        )
        assert right <= 390, (path, right)
        _shot(browser, "library" + path.replace("/", "-") + "-390")
    browser.get(url + "/topics/record-linkage")
    resources = browser.find_element(By.ID, "topic-resources-heading").rect
    people = browser.find_element(By.XPATH, "//h2[normalize-space()='Who is there']").rect
    assert resources["y"] < people["y"] and abs(resources["x"] - people["x"]) < 5  # stacked
    for path in ("/resources", "/resources/new", "/topics/record-linkage"):
        browser.get(url + path)
        assert _axe(browser) == [], path
