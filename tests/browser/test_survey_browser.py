"""A survey export imported from the Import page in a real browser (issue 16 §3): a coordinator uploads a
survey tool's CSV, says what the one answer graphapp cannot read means, sees the first rows and the dry
run, and imports; the mapping page reads well at 1400 and 390 px, in English and French, and passes axe.
Set GRAPHAPP_SCREENSHOTS=DIR to keep the screenshots."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from devtools.chromium import ChromiumMissing, start_chromium
from tests.browser.test_browser import _axe, _wait
from tests.processes import _clean_env, graphapp, serving
from tests.surveys import EXAMPLE_SURVEY, network_files

pytestmark = pytest.mark.browser
PASSWORD = "a long enough passphrase"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    """`graphapp serve` on a network the example survey names, and a coordinator's account."""
    env = {**_clean_env(), "GRAPHAPP_DB": str(tmp_path / "graph.lbug")}
    done = graphapp(env, "import", *map(str, network_files(tmp_path)))
    assert done.returncode == 0, done.stderr
    made = graphapp(
        env,
        "account",
        "create",
        "coord@example.org",
        "--role",
        "coordinator",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert made.returncode == 0, made.stderr
    with serving(env, tmp_path / "serve.log") as url:
        yield url.rstrip("/")


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


def _upload(browser: webdriver.Chrome, url: str, path: Path) -> None:
    browser.get(url + "/import")
    browser.find_element(By.ID, "files").send_keys(str(path))
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    _wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "table.mapping"))


def _say_what_it_means(browser: webdriver.Chrome, answer: str, meant: str) -> None:
    row = browser.find_element(By.XPATH, f"//tr[th[normalize-space()='{answer}']]")
    row.find_element(By.CSS_SELECTOR, "input[name^=other-]").send_keys(meant)


def _fits(browser: webdriver.Chrome) -> None:
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, width


def test_a_coordinator_maps_previews_and_imports_a_survey(chromium, site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    browser, url = chromium, site
    survey = tmp_path / "webinar.csv"
    shutil.copy(EXAMPLE_SURVEY, survey)
    browser.set_window_size(1400, 1000)
    browser.get(url + "/login")
    browser.find_element(By.NAME, "login").send_keys("coord@example.org")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.NAME, "password").submit()
    _wait(browser, lambda b: "/login" not in b.current_url)

    _upload(browser, url, survey)
    assert "Import a survey export" in browser.title
    assert (
        "text classification"
        in browser.find_element(By.ID, "values-heading").find_element(By.XPATH, "..").text
    )
    _shot(browser, "survey-mapping-1400-en")
    assert _axe(browser) == []
    # Each question shows only the details its field takes: a level question its topic, a list its separator.
    level_row = browser.find_element(By.XPATH, "//tr[th[contains(., 'experience with record linkage')]]")
    assert level_row.find_element(By.CSS_SELECTOR, ".detail.topic").is_displayed()
    assert not level_row.find_element(By.CSS_SELECTOR, ".detail.separator").is_displayed()
    browser.execute_script("document.getElementById('mapping-heading').scrollIntoView()")
    _shot(browser, "survey-questions-1400-en")
    browser.set_window_size(390, 900)
    _fits(browser)
    _shot(browser, "survey-mapping-390-en")
    browser.execute_script("document.getElementById('mapping-heading').scrollIntoView()")
    _shot(browser, "survey-questions-390-en")
    # On a phone each question's select is on the screen, below the question (not off to the right).
    select = browser.find_element(By.NAME, "field-8").rect
    assert select["x"] >= 0 and select["x"] + select["width"] <= 390, select
    browser.set_window_size(1400, 1000)
    _say_what_it_means(browser, "text classification", "natural language processing")
    browser.find_element(By.CSS_SELECTOR, "button[value=preview]").click()
    _wait(
        browser,
        lambda b: b.find_elements(By.ID, "preview-heading") and b.find_elements(By.ID, "done-heading"),
    )
    done = browser.find_element(By.ID, "done-heading").find_element(By.XPATH, "..").text
    assert "4 new members" in done
    assert (
        "record linkage (expert)"
        in browser.find_element(By.ID, "preview-heading").find_element(By.XPATH, "..").text
    )
    _shot(browser, "survey-preview-1400-en")
    browser.set_window_size(390, 900)
    _fits(browser)
    _shot(browser, "survey-preview-390-en")

    # In French, the same way through, to the import.
    browser.set_window_size(1400, 1000)
    browser.add_cookie({"name": "graphapp_lang", "value": "fr"})
    _upload(browser, url, survey)
    assert "Importer l'export d'une enquête" in browser.title
    assert "Ce que signifient les réponses" in browser.page_source
    _shot(browser, "survey-mapping-1400-fr")
    browser.set_window_size(390, 900)
    _fits(browser)
    _shot(browser, "survey-mapping-390-fr")
    assert _axe(browser) == []
    browser.set_window_size(1400, 1000)
    _say_what_it_means(browser, "text classification", "natural language processing")
    browser.find_element(By.CSS_SELECTOR, "button[value=import]").click()
    _wait(browser, lambda b: b.find_elements(By.ID, "done-heading"))
    assert "Importé" in browser.find_element(By.ID, "done-heading").text
    assert "4 nouveaux membres" in browser.page_source
    _shot(browser, "survey-imported-1400-fr")
