"""Every page on a phone (issue 15 §4): at 390x844, in English, French and Russian, no page is wider than
the screen, and the header's long nav folds into a "Menu" disclosure (open by itself on a wide screen).

Every GET route of the app that renders a page is visited (the addresses, with the demo's ids, are
benchmarks.page_widths.PAGES; routes that are files or redirects are listed in NOT_PAGES with why): a route
added to the app and not listed fails here. One browser session, signed in as an administrator tied to a
member of the demo, so that every page opens; the language is set by the chooser's cookie.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from benchmarks.page_widths import (
    LANGUAGES,
    NOT_PAGES,
    PAGES,
    WIDTH,
    demo_ids,
    demo_site,
    html_routes,
    phone,
    sign_in,
    table,
    widths,
)
from devtools.chromium import ChromiumMissing, start_chromium

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]

#: Pages opened with a link that is no longer valid (made up here): they say so, on a page of their own.
MADE_UP_LINKS = {"/introductions/answer/<token>", "/join/confirm/<token>"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """`graphapp serve` with the demo and an administrator tied to a demo member; and an invitation."""
    with demo_site(sys.executable, ROOT, tmp_path_factory.mktemp("widths")) as found:
        yield found


@pytest.fixture(scope="module")
def driver(site: tuple[str, str]) -> Iterator[webdriver.Chrome]:
    try:
        chromium = start_chromium()
    except ChromiumMissing as e:  # a failure, not a skip
        pytest.fail(str(e))
    try:
        sign_in(chromium, site[0])
        yield chromium
    finally:
        chromium.quit()


def test_every_page_is_listed() -> None:
    """A page added to the app must be added to the pages this test opens (or said not to be a page)."""
    routes = html_routes(sys.executable, ROOT)
    unlisted = routes - set(PAGES) - set(NOT_PAGES)
    assert not unlisted, f"pages the phone-width test does not open; add them to PAGES: {sorted(unlisted)}"
    gone = (set(PAGES) | set(NOT_PAGES)) - routes
    assert not gone, f"listed but no longer routes of the app: {sorted(gone)}"


def test_every_page_fits_a_phone_in_every_language(site: tuple[str, str], driver: webdriver.Chrome) -> None:
    url, invitation = site
    ids = demo_ids(driver, url, invitation)
    routes = html_routes(sys.executable, ROOT) - set(NOT_PAGES)
    paths = {rule: PAGES[rule](ids) for rule in sorted(routes & set(PAGES))}
    titles: dict[str, str] = {}
    found = widths(driver, url, paths, LANGUAGES, titles)

    assert set(found) == routes and all(set(by) == set(LANGUAGES) for by in found.values())
    # Each page opened as itself (an error page would fit, and prove nothing).
    failed = {
        rule: title
        for rule, title in titles.items()
        if title.split(" ", 1)[0].isdigit() and (rule not in MADE_UP_LINKS or title.startswith("5"))
    }
    assert not failed, f"pages that did not open: {failed}"
    too_wide = {rule for rule, by in found.items() if any(w > WIDTH for w in by.values())}
    assert not too_wide, f"pages wider than {WIDTH} px:\n{table(found, paths)}"


def test_the_nav_folds_into_a_menu_on_a_phone(site: tuple[str, str], driver: webdriver.Chrome) -> None:
    url, _ = site
    phone(driver)
    try:
        driver.get(url + "/members")
        menu = driver.find_element(By.CSS_SELECTOR, "header.site details.menu")
        summary = menu.find_element(By.TAG_NAME, "summary")
        directory = menu.find_element(By.CSS_SELECTOR, 'nav a[href="/members"]')
        assert summary.is_displayed() and not directory.is_displayed()
        summary.click()
        assert directory.is_displayed() and directory.get_attribute("aria-current") == "page"
        # The skip link is still the first thing a keyboard reaches, and leads past the header.
        skip = driver.find_element(By.CSS_SELECTOR, "a.skip")
        assert skip.get_attribute("href").endswith("#main")
        assert driver.execute_script("return document.querySelector('a[href]') === arguments[0]", skip)
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.set_window_size(1400, 1000)
    driver.get(url + "/topics")
    summary = driver.find_element(By.CSS_SELECTOR, "header.site details.menu > summary")
    topics = driver.find_element(By.CSS_SELECTOR, 'header.site nav a[href="/topics"]')
    assert not summary.is_displayed(), "on a wide screen the nav shows open, with no Menu button"
    assert topics.is_displayed() and topics.get_attribute("aria-current") == "page"
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 1400
